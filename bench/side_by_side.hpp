#pragma once

// What the side-by-side benchmarks share: timing, the median of interleaved
// rounds, and the ratio column ("2.50x <what>").

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

namespace bench {

using clock_type = std::chrono::steady_clock;

inline double seconds_since(clock_type::time_point t0) {
  return std::chrono::duration<double>(clock_type::now() - t0).count();
}

/// The median of the rounds (0 when there were none).
inline double median(std::vector<double> xs) {
  if (xs.empty())
    return 0;
  std::sort(xs.begin(), xs.end());
  return xs[xs.size() / 2];
}

/// "x/y" as "N.NNx what" (0 when y is 0).
inline std::string ratio(const char* what, double x, double y) {
  char buf[128];
  std::snprintf(buf, sizeof(buf), "%.2fx %s", y > 0 ? x / y : 0.0, what);
  return buf;
}

} // namespace bench

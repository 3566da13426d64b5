#pragma once

// What the side-by-side benchmarks share: timing, the median of interleaved
// rounds, and the ratio column ("2.50x <what>").

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
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

/// The Python side of the comparisons: `--python PATH`, else
/// bench/python_baseline.py (run from the repository's root, as
/// scripts/bench.sh does).
inline std::string python_anchor(int argc, char** argv) {
  std::string anchor = "bench/python_baseline.py";
  for (int i = 1; i + 1 < argc; ++i)
    if (std::string{argv[i]} == "--python")
      anchor = argv[i + 1];
  return anchor;
}

} // namespace bench

#pragma once

// What the side-by-side benchmarks share: timing, CPU accounting of both
// sides, the median of interleaved rounds, and the ratio column
// ("2.50x <what>").

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <sys/resource.h>
#include <sys/types.h>
#include <unistd.h>

namespace bench {

using clock_type = std::chrono::steady_clock;

inline double seconds_since(clock_type::time_point t0) {
  return std::chrono::duration<double>(clock_type::now() - t0).count();
}

/// CPU seconds (user + system) of the children this process has waited for.
inline double children_cpu() {
  rusage u{};
  getrusage(RUSAGE_CHILDREN, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec)
         + 1e-6 * static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

/// CPU seconds of process `pid` so far (user + system, all its threads, from
/// /proc).
inline double process_cpu(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(in, line);
  auto end_of_name = line.rfind(')'); // the command name may hold spaces
  if (end_of_name == std::string::npos)
    return 0;
  std::istringstream fields(line.substr(end_of_name + 2));
  std::string field;
  double ticks = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i)
    if (i == 14 || i == 15) // utime, stime
      ticks += std::atof(field.c_str());
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

/// One measurement: operations per second, and CPU microseconds per
/// operation in the client processes and in the server. On a small or
/// shared machine the CPU per operation moves much less than throughput.
struct figures {
  double ops = 0;
  double client_us = 0;
  double server_us = 0;
};

/// Runs `round` (which returns ops/s, 0 on failure, for `ops` operations,
/// in children it waits for) and measures what it cost those children and
/// the server `server`.
template <class Round>
figures measured(pid_t server, double ops, Round round) {
  double c0 = children_cpu(), s0 = process_cpu(server);
  figures f;
  f.ops = round();
  f.client_us = (children_cpu() - c0) / ops * 1e6;
  f.server_us = (process_cpu(server) - s0) / ops * 1e6;
  return f;
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

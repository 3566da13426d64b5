// bench_idle: what idle authenticated connections cost a manager's server.
//
//   One SyncManager::start() server on loopback TCP. Client processes open
//   connections with frame_socket + client_handshake and then sit idle,
//   holding them; the bench reads the server's VmRSS and thread count
//   (/proc/PID/status) at 0, 1,000 and 10,000 connections, then makes a call
//   on a fresh connection (connect, create a dict, set, get) and times it.
//
// Goals (issue 9): <= 16 KiB of server memory per idle connection; a server
// thread count that does not grow with the clients; a fresh connection still
// served at 10,000.
//
// RLIMIT_NOFILE is raised to its hard limit (root: higher) before the server
// forks, so server and clients inherit it. One run (a connection count is a
// count, not a rate); takes a few seconds.
//
// Run: build/bench/bench_idle [--connections N] [--processes P]
//      default 10000 connections from 4 processes (after the first 1,000).

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <mpactor/mpactor.hpp>

#if __has_include(<mpactor/actors/wire/handshake.hpp>)
#include <mpactor/actors/server/server_limits.hpp>
#include <mpactor/actors/wire/frame_socket.hpp>
#include <mpactor/actors/wire/handshake.hpp>
#define MPACTOR_BENCH_EVENT_LOOP_SERVER 1 // the server of one event loop
#else                                     // before it (a9acfef): a thread per connection
#include <mpactor/actors/frame_socket.hpp>
#include <mpactor/actors/handshake.hpp>
#define MPACTOR_BENCH_EVENT_LOOP_SERVER 0
#endif

#include "side_by_side.hpp"

namespace {

using bench::clock_type;
using bench::seconds_since;

/// A field of /proc/PID/status as a number ("VmRSS:" in kB, "Threads:").
long proc_status(pid_t pid, const char* field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line, name = field;
  while (std::getline(in, line))
    if (line.rfind(name, 0) == 0)
      return std::atol(line.c_str() + name.size());
  return -1;
}

long rss_bytes(pid_t pid) { return proc_status(pid, "VmRSS:") * 1024; }
long threads(pid_t pid) { return proc_status(pid, "Threads:"); }

/// Raises RLIMIT_NOFILE to `want` (or as far as allowed); returns the limit.
rlim_t raise_nofile(rlim_t want) {
  rlimit rl{};
  getrlimit(RLIMIT_NOFILE, &rl);
  rlimit up{want, want};
  if (setrlimit(RLIMIT_NOFILE, &up) == 0)
    return want;
  rl.rlim_cur = rl.rlim_max;
  setrlimit(RLIMIT_NOFILE, &rl);
  getrlimit(RLIMIT_NOFILE, &rl);
  return rl.rlim_cur;
}

/// A client process holding `n` idle authenticated connections. It writes
/// the number it opened to `ready` once done, then waits for `stop` to close.
struct idle_clients {
  pid_t pid = 0;
  int ready = -1; // read end: the child's count
  int stop = -1;  // write end: closed to stop the child

  /// Forks one; `others` are the clients started before (the child closes
  /// its copies of their pipes, or their stop would never reach them).
  static idle_clients start(const mpactor::Address& addr, const std::string& authkey, long n,
                            const std::vector<idle_clients>& others) {
    int up[2], down[2];
    if (::pipe(up) != 0 || ::pipe(down) != 0)
      std::abort();
    pid_t pid = ::fork();
    if (pid == 0) {
      ::close(up[0]);
      ::close(down[1]);
      for (auto& o : others) {
        ::close(o.ready);
        ::close(o.stop);
      }
      std::vector<std::unique_ptr<mpactor::frame_socket>> held;
      held.reserve(static_cast<std::size_t>(n));
#if MPACTOR_BENCH_EVENT_LOOP_SERVER
      auto session = mpactor::random_bytes(mpactor::session_key_size);
#else
      auto session = static_cast<std::uint64_t>(::getpid());
#endif
      long opened = 0;
      try {
        for (; opened < n; ++opened) {
          auto deadline = clock_type::now() + std::chrono::seconds(10);
          int fd = mpactor::frame_socket::connect_to(addr, deadline);
          held.push_back(std::make_unique<mpactor::frame_socket>(fd));
          mpactor::client_handshake(*held.back(), authkey, session, std::chrono::seconds(10));
        }
      } catch (const std::exception& e) {
        std::fprintf(stderr, "client %d: connection %ld: %s\n", ::getpid(), opened, e.what());
        if (!held.empty())
          held.pop_back();
      }
      long count = static_cast<long>(held.size());
      if (::write(up[1], &count, sizeof(count)) != sizeof(count))
        ::_exit(2);
      char b;
      while (::read(down[0], &b, 1) > 0) {
      }
      ::_exit(0);
    }
    ::close(up[1]);
    ::close(down[0]);
    return {pid, up[0], down[1]};
  }

  /// The number of connections it holds, once it holds them.
  long wait_ready() const {
    long count = 0;
    if (::read(ready, &count, sizeof(count)) != sizeof(count))
      return 0;
    return count;
  }

  void finish() {
    ::close(stop);
    int st;
    ::waitpid(pid, &st, 0);
    ::close(ready);
  }
};

struct snapshot {
  long connections = 0;
  long rss = 0;
  long threads = 0;
};

/// Waits briefly for the server to settle (its thread count and RSS), then
/// reads them.
snapshot measure(pid_t server, long connections) {
  usleep(300'000);
  return {connections, rss_bytes(server), threads(server)};
}

} // namespace

int main(int argc, char** argv) {
  long total = 10'000;
  int processes = 4;
  for (int i = 1; i + 1 < argc; ++i) {
    std::string a = argv[i];
    if (a == "--connections")
      total = std::atol(argv[i + 1]);
    else if (a == "--processes")
      processes = std::atoi(argv[i + 1]);
  }
  long first = std::min(total, 1000L);

  rlim_t nofile = raise_nofile(static_cast<rlim_t>(total) * 2 + 1024);
  std::printf("RLIMIT_NOFILE %lu (server and clients inherit it)\n",
              static_cast<unsigned long>(nofile));

  mpactor::SyncManager m;
#if MPACTOR_BENCH_EVENT_LOOP_SERVER
  mpactor::server_limits lim;
  lim.max_clients = static_cast<std::size_t>(total) + 64; // the bench's own too
  m.set_limits(lim);
#endif
  m.start();
  m.stats(); // this process's own connection
  pid_t srv = m.server_pid();

  std::vector<snapshot> snaps;
  snaps.push_back(measure(srv, 0));

  std::vector<idle_clients> clients;
  long held = 0;
  auto t0 = clock_type::now();
  clients.push_back(idle_clients::start(m.address(), m.authkey(), first, clients));
  held += clients.back().wait_ready();
  double first_secs = seconds_since(t0);
  snaps.push_back(measure(srv, held));

  long rest = total - first;
  auto t1 = clock_type::now();
  for (int p = 0; p < processes && rest > 0; ++p) {
    long n = rest / (processes - p);
    rest -= n;
    clients.push_back(idle_clients::start(m.address(), m.authkey(), n, clients));
  }
  for (std::size_t i = 1; i < clients.size(); ++i)
    held += clients[i].wait_ready();
  double rest_secs = seconds_since(t1);
  snaps.push_back(measure(srv, held));

  // A call on a fresh connection (a new process's first connection).
  bool fresh_ok = false;
  double fresh_ms = 0;
  {
    auto t = clock_type::now();
    try {
      mpactor::SyncManager other(m.address(), m.authkey());
      other.connect();
      auto d = other.dict();
      d.set("k", 42);
      fresh_ok = d.get<long>("k") == 42;
    } catch (const std::exception& e) {
      std::printf("fresh connection at %ld: %s\n", held, e.what());
    }
    fresh_ms = seconds_since(t) * 1e3;
  }
  long live = -1;
  try {
    auto st = m.stats();
    if (st.contains("connections"))
      live = st["connections"].get<long>();
  } catch (const std::exception&) {
  }

  for (auto& c : clients)
    c.finish();
  snapshot after_close = measure(srv, 0);

  std::printf("opened %ld of %ld connections (%.2f s for the first %ld, %.2f s for the rest)%s\n",
              held, total, first_secs, first, rest_secs,
              live >= 0 ? (", server counts " + std::to_string(live) + " connections").c_str()
                        : "");
  std::printf("| %-30s | %12s | %14s | %8s |\n", "idle authenticated connections",
              "server VmRSS", "per connection", "threads");
  std::printf("|%s|%s|%s|%s|\n", std::string(32, '-').c_str(), std::string(14, '-').c_str(),
              std::string(16, '-').c_str(), std::string(10, '-').c_str());
  for (auto& s : snaps) {
    std::string per = s.connections == 0
                        ? "-"
                        : std::to_string((s.rss - snaps[0].rss) / s.connections) + " B";
    std::printf("| %-30ld | %9.1f MiB | %14s | %8ld |\n", s.connections, s.rss / 1048576.0,
                per.c_str(), s.threads);
  }
  std::printf("| %-30s | %9.1f MiB | %14s | %8ld |\n", "0 (all closed again)",
              after_close.rss / 1048576.0, "-", after_close.threads);
  long per = held > 0 ? (snaps.back().rss - snaps[0].rss) / held : 0;
  std::printf("per idle connection: %ld B (goal <= 16384 B: %s); threads %ld -> %ld -> %ld "
              "(goal: independent of clients: %s)\n",
              per, per <= 16384 ? "met" : "MISSED", snaps[0].threads, snaps[1].threads,
              snaps[2].threads, snaps[0].threads == snaps[2].threads ? "met" : "MISSED");
  std::printf("fresh connection at %ld: connect + create dict + set + get %s in %.1f ms\n", held,
              fresh_ok ? "ok" : "FAILED", fresh_ms);
  m.shutdown();
  return fresh_ok && held == total ? 0 : 1;
}

// bench_fleet: synchronous dict set+get from many client processes, mpactor
// side by side with Redis (issue 9), in one run.
//
//   P client processes (1, 32, 128), each with its own connection, share the
//   work of N set+get iterations (2N operations in all):
//     mpactor  d.set(key, i); d.get<long>(key) == i   on one managed dict of a
//              SyncManager started on loopback TCP
//     Redis    SET key i; GET key == i   through hiredis (the C client), on a
//              redis-server the bench starts on a loopback port (no persistence)
//   Each process uses 64 keys of its own. The processes connect and make one
//   call first, then all start together (a pipe closes); the time runs from
//   that start to the last process's end.
//
// Both go over loopback TCP (Redis' transport here; a Manager() of mpactor
// listens on an abstract Unix socket instead). Throughputs are medians of
// interleaved rounds (mpactor, Redis, mpactor, ...); ratios compare figures of
// the same run. Beside them, the CPU time each operation cost, in the client
// processes (their rusage) and in the server (its /proc stat): on a machine
// that is busy with other work, throughput follows the load, CPU per
// operation much less. Exit status 1 if a get read a wrong value or a
// process failed.
//
// Run: build/bench/bench_fleet [--iters N] [--rounds R] [--procs 1,32,128]
//                               [--io-threads T] [--spin US]
//      default N = 20000 set+get iterations per measurement, R = 3; T: the
//      server's I/O threads (server_limits::io_threads; 0, the default: one
//      per core); US: microseconds a client polls for a reply before it
//      sleeps (connection::spin_us, default 50).

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <sys/resource.h>
#include <unistd.h>

#include <hiredis/hiredis.h>

#include <mpactor/mpactor.hpp>

#include "redis_server.hpp"
#include "side_by_side.hpp"

namespace {

using bench::clock_type;
using bench::figures;
using bench::measured;
using bench::median;
using bench::ratio;
using bench::seconds_since;

/// The start line of a fleet of processes: each says it is ready (connected
/// and warm), waits for the start, and says when it is done.
class start_line {
public:
  start_line() {
    if (::pipe(ready_) != 0 || ::pipe(go_) != 0 || ::pipe(done_) != 0)
      std::abort();
  }

  ~start_line() {
    for (int fd : {ready_[0], ready_[1], go_[0], go_[1], done_[0], done_[1]})
      if (fd >= 0)
        ::close(fd);
  }

  /// In a child, once connected: reports ready and waits for the start.
  void child_ready() {
    ::close(go_[1]); // the child's copy: the start is the parent's close
    char b = 1;
    if (::write(ready_[1], &b, 1) != 1)
      ::_exit(3);
    while (::read(go_[0], &b, 1) > 0) {
    }
  }

  /// In a child, at the end: ok or not.
  void child_done(bool ok) {
    char b = ok ? 1 : 0;
    if (::write(done_[1], &b, 1) != 1)
      ::_exit(3);
  }

  /// In the parent: waits until `n` children are ready, starts them, waits
  /// until all are done; returns the seconds from start to the last end, 0
  /// if one failed.
  double run(int n) {
    char b;
    for (int i = 0; i < n; ++i)
      if (::read(ready_[0], &b, 1) != 1)
        return 0;
    auto t0 = clock_type::now();
    ::close(go_[1]);
    go_[1] = -1;
    bool ok = true;
    for (int i = 0; i < n; ++i) {
      if (::read(done_[0], &b, 1) != 1)
        return 0;
      ok &= b == 1;
    }
    double s = seconds_since(t0);
    return ok ? s : 0;
  }

private:
  int ready_[2];
  int go_[2];
  int done_[2];
};

std::string key_of(int proc, long i) { return "k" + std::to_string(proc * 64 + i % 64); }

/// mpactor: `procs` processes share `iters` set+get iterations on one dict;
/// ops/s (0 if one failed).
double mpactor_round(const mpactor::SyncManager& m, int procs, long iters) {
  auto d = m.dict();
  start_line line;
  std::vector<mpactor::Process> fleet;
  fleet.reserve(static_cast<std::size_t>(procs));
  long per = iters / procs;
  for (int p = 0; p < procs; ++p) {
    fleet.emplace_back([d, p, per, &line] {
      bool ok = true;
      try {
        d.get("warm", 0); // this process's own connection, before the start
      } catch (const std::exception& e) {
        std::fprintf(stderr, "mpactor client %d: %s\n", p, e.what());
        ok = false;
      }
      line.child_ready();
      try {
        for (long i = 0; ok && i < per; ++i) {
          auto k = key_of(p, i);
          d.set(k, i);
          ok &= d.get<long>(k) == i;
        }
      } catch (const std::exception& e) {
        std::fprintf(stderr, "mpactor client %d: %s\n", p, e.what());
        ok = false;
      }
      line.child_done(ok);
    });
    fleet.back().start();
  }
  double s = line.run(procs);
  for (auto& f : fleet)
    f.join();
  return s > 0 ? 2.0 * per * procs / s : 0;
}

/// Redis through hiredis: the same work with SET/GET; ops/s (0 if one failed).
double redis_round(int port, int procs, long iters) {
  start_line line;
  std::vector<mpactor::Process> fleet;
  fleet.reserve(static_cast<std::size_t>(procs));
  long per = iters / procs;
  for (int p = 0; p < procs; ++p) {
    fleet.emplace_back([port, p, per, &line] {
      redisContext* c = redisConnect("127.0.0.1", port);
      bool ok = c != nullptr && c->err == 0;
      if (ok) { // warm, as the mpactor side
        auto* r = static_cast<redisReply*>(redisCommand(c, "GET warm"));
        ok = r != nullptr;
        freeReplyObject(r);
      }
      line.child_ready();
      for (long i = 0; ok && i < per; ++i) {
        auto k = key_of(p, i);
        auto* r = static_cast<redisReply*>(redisCommand(c, "SET %s %ld", k.c_str(), i));
        ok = r != nullptr && r->type == REDIS_REPLY_STATUS;
        freeReplyObject(r);
        if (!ok)
          break;
        r = static_cast<redisReply*>(redisCommand(c, "GET %s", k.c_str()));
        ok = r != nullptr && r->type == REDIS_REPLY_STRING && std::atol(r->str) == i;
        freeReplyObject(r);
      }
      if (c != nullptr)
        redisFree(c);
      line.child_done(ok);
    });
    fleet.back().start();
  }
  double s = line.run(procs);
  for (auto& f : fleet)
    f.join();
  return s > 0 ? 2.0 * per * procs / s : 0;
}

} // namespace

int main(int argc, char** argv) {
  long iters = 20'000;
  int rounds = 3;
  std::vector<int> counts{1, 32, 128};
  unsigned io_threads = 0;
  for (int i = 1; i + 1 < argc; ++i) {
    std::string a = argv[i];
    if (a == "--iters")
      iters = std::atol(argv[i + 1]);
    else if (a == "--io-threads")
      io_threads = static_cast<unsigned>(std::atoi(argv[i + 1]));
    else if (a == "--spin")
      mpactor::connection::spin_us = std::atoi(argv[i + 1]);
    else if (a == "--spin")
      mpactor::connection::spin_us = std::atoi(argv[i + 1]);
    else if (a == "--rounds")
      rounds = std::atoi(argv[i + 1]);
    else if (a == "--procs") {
      counts.clear();
      std::stringstream in(argv[i + 1]);
      std::string n;
      while (std::getline(in, n, ','))
        counts.push_back(std::atoi(n.c_str()));
    }
  }

  bench::redis_server redis;
  mpactor::SyncManager m; // loopback TCP, as Redis
#if __has_include(<mpactor/actors/server/server_limits.hpp>)
  mpactor::server_limits limits;
  limits.io_threads = io_threads;
  m.set_limits(limits);
#else // before the event loop (a9acfef): a thread per connection
  (void) io_threads;
#endif
  m.start();

  std::vector<std::vector<figures>> mp(counts.size()), rd(counts.size());
  bool failed = false;
  for (int r = 0; r < rounds; ++r)
    for (std::size_t c = 0; c < counts.size(); ++c) {
      double ops = 2.0 * static_cast<double>(iters / counts[c] * counts[c]);
      mp[c].push_back(
        measured(m.server_pid(), ops, [&] { return mpactor_round(m, counts[c], iters); }));
      failed |= mp[c].back().ops == 0;
      if (redis.ready()) {
        rd[c].push_back(measured(redis.pid(), ops,
                                 [&] { return redis_round(redis.port(), counts[c], iters); }));
        failed |= rd[c].back().ops == 0;
      }
    }

  auto med = [](const std::vector<figures>& v, double figures::*field) {
    std::vector<double> xs;
    for (auto& f : v)
      xs.push_back(f.*field);
    return xs.empty() ? 0.0 : median(xs);
  };
  char title[96];
  std::snprintf(title, sizeof(title), "sync set+get, %ld ops (median of %d rounds)", 2 * iters,
                rounds);
  std::printf("| %-44s | %14s | %14s | %-28s | %-26s |\n", title, "mpactor ops/s",
              "Redis ops/s", "mpactor/Redis (goal >= 1x)",
              "CPU us/op client+server: mpactor / Redis");
  std::printf("|%s|%s|%s|%s|%s|\n", std::string(46, '-').c_str(), std::string(16, '-').c_str(),
              std::string(16, '-').c_str(), std::string(30, '-').c_str(),
              std::string(43, '-').c_str());
  for (std::size_t c = 0; c < counts.size(); ++c) {
    double a = med(mp[c], &figures::ops), b = med(rd[c], &figures::ops);
    std::string name = std::to_string(counts[c]) + " client process"
                       + (counts[c] == 1 ? "" : "es") + ", 1 connection each";
    std::string note = redis.ready() ? ratio(a / b >= 1 ? "(met)" : "(MISSED)", a, b)
                                     : "redis-server not run";
    char cpu[96];
    std::snprintf(cpu, sizeof(cpu), "%.1f+%.1f / %.1f+%.1f", med(mp[c], &figures::client_us),
                  med(mp[c], &figures::server_us), med(rd[c], &figures::client_us),
                  med(rd[c], &figures::server_us));
    std::printf("| %-44s | %14.0f | %14.0f | %-28s | %-41s |\n", name.c_str(), a, b,
                note.c_str(), cpu);
  }
  std::printf("rounds (ops/s):");
  for (std::size_t c = 0; c < counts.size(); ++c) {
    std::printf(" [%d procs: mpactor", counts[c]);
    for (auto& f : mp[c])
      std::printf(" %.0f", f.ops);
    std::printf("; Redis");
    for (auto& f : rd[c])
      std::printf(" %.0f", f.ops);
    std::printf("]");
  }
  std::printf("\n");
  if (failed)
    std::printf("ERROR: a process failed or a get read a wrong value\n");
  return failed ? 1 : 0;
}

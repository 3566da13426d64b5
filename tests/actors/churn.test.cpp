// Churn: a server that has served 100,000 connections, or 20,000 short-lived
// worker processes, holds what it held after the first few thousand: the
// same threads, about the same memory maps and resident memory (the old
// thread-per-connection server died at ~16,350 workers).

#include "server_probe.hpp"

#include <cstdlib>
#include <vector>

#include <netinet/in.h>

using namespace mpactor;
using namespace probe;
using namespace std::chrono_literals;

namespace {

long count_from_env(const char* name, long fallback) {
  if (const char* v = std::getenv(name))
    return std::atol(v);
  return fallback;
}

// One raw cycle: connect, wait for the server's challenge (so the loop
// goes at the server's pace: an unpaced loop overflows the listen backlog
// and the kernel then delays SYNs by a second), close. Odd cycles close with
// a reset instead of a FIN.
void connect_and_close(const Address& addr, long i) {
  int fd = raw_connect(addr);
  REQUIRE(readable(fd, 5000ms));
  if (i % 2 == 1) {
    linger hard{1, 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &hard, sizeof(hard));
  }
  ::close(fd);
}

// The connections of this process's own link (an anchor, and one per
// thread that called).
long own_connections(const BaseManager& m) {
  return m.stats()["connections"].get<long>();
}

// Waits until only the manager's own link is connected.
void settle(const BaseManager& m, long own) {
  REQUIRE(eventually([&] { return own_connections(m) == own; }, 20000ms));
}

// Tolerances after warm-up: threads exactly as many (a fixed pool); maps
// +16 (the allocator may map an arena or two more); RSS +16 MiB (malloc
// keeps freed memory; a leak of even 200 bytes per connection over 95,000
// connections would be 18 MiB, and one thread or buffer per connection far
// more).
void check_flat(const footprint& warm, const footprint& end) {
  CHECK(end.threads == warm.threads);
  CHECK(end.maps <= warm.maps + 16);
  CHECK(end.rss_kib <= warm.rss_kib + 16 * 1024);
}

} // namespace

TEST_CASE("100,000 connect-and-close cycles leave the server's threads, maps and memory flat") {
  auto m = Manager();
  auto pid = m.server_pid();
  auto start = footprint_of(pid);
  auto own = own_connections(m);
  long total = count_from_env("MPACTOR_CHURN_CONNECTIONS", 100000);
  long warm_up = 5000;
  auto t0 = clock_type::now();
  for (long i = 0; i < warm_up; ++i)
    connect_and_close(m.address(), i);
  settle(m, own);
  auto warm = footprint_of(pid);
  for (long i = warm_up; i < total; ++i)
    connect_and_close(m.address(), i);
  settle(m, own);
  auto end = footprint_of(pid);
  auto secs = std::chrono::duration<double>(clock_type::now() - t0).count();
  WARN(total << " cycles in " << secs << " s\nstart: " << to_string(start)
             << "\nafter " << warm_up << ": " << to_string(warm) << "\nend: " << to_string(end));
  check_flat(warm, end);
  CHECK(m.dict({{"k", 1}}).size() == 1);
}

TEST_CASE("20,000 handshakes, each a session opened and ended, leave the server flat") {
  // A fifth of the raw cycles, to keep the suite short: 50,000 took 13 s
  // (MPACTOR_CHURN_HANDSHAKES=50000 runs them), 20,000 about 4 s.
  auto m = Manager();
  auto pid = m.server_pid();
  long total = count_from_env("MPACTOR_CHURN_HANDSHAKES", 20000);
  long warm_up = 2000;
  auto own = own_connections(m);
  auto t0 = clock_type::now();
  auto cycle = [&] {
    auto sock = authenticated(m.address(), m.authkey());
  };
  for (long i = 0; i < warm_up; ++i)
    cycle();
  settle(m, own);
  auto warm = footprint_of(pid);
  for (long i = warm_up; i < total; ++i)
    cycle();
  settle(m, own);
  auto end = footprint_of(pid);
  auto secs = std::chrono::duration<double>(clock_type::now() - t0).count();
  WARN(total << " handshakes in " << secs << " s\nafter " << warm_up << ": " << to_string(warm)
             << "\nend: " << to_string(end));
  check_flat(warm, end);
  CHECK(m.stats()["sessions"].get<long>() == 1);
}

TEST_CASE("6,000 short-lived worker processes that each set one key leave the server flat and every key set") {
  // 20,000 workers (the loop that killed the old server at ~16,350) took
  // 185 s here (2 cores at load 13; each worker is a fork of this process,
  // two connections with their handshakes, one call), flat: threads 11 -> 11,
  // maps 102 -> 102, RSS 26.4 -> 30.6 MiB with the 20,000 keys. The default,
  // 6,000, is what fits in about 60 s; MPACTOR_CHURN_WORKERS=20000 runs the
  // full loop.
  auto m = Manager();
  auto pid = m.server_pid();
  auto d = m.dict();
  auto own = own_connections(m);
  long total = count_from_env("MPACTOR_CHURN_WORKERS", 6000);
  long warm_up = std::min(total / 10, 1000L);
  constexpr int at_once = 8;
  auto t0 = clock_type::now();
  footprint warm;
  for (long i = 0; i < total; i += at_once) {
    std::vector<Process> batch;
    for (long j = i; j < std::min(total, i + at_once); ++j) {
      batch.emplace_back([d, j] { d.set(std::to_string(j), j); });
      batch.back().start();
    }
    for (auto& p : batch) {
      REQUIRE(p.join(30s));
      REQUIRE(p.exitcode() == 0);
    }
    if (i + at_once >= warm_up && i < warm_up) {
      settle(m, own);
      warm = footprint_of(pid);
    }
  }
  settle(m, own);
  auto end = footprint_of(pid);
  auto secs = std::chrono::duration<double>(clock_type::now() - t0).count();
  WARN(total << " workers in " << secs << " s\nafter " << warm_up << ": " << to_string(warm)
             << "\nend: " << to_string(end));
  check_flat(warm, end);
  CHECK(d.size() == static_cast<std::size_t>(total));
  CHECK(m.stats()["sessions"].get<long>() == 1);
}

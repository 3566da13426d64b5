// loop_packer: connections gather on one event loop only while the
// server's own clients contend for the CPUs and the I/O threads have time
// to spare, and spread again past spread_above or when nobody contends.
// And a real server's connections move to the first loop and back while
// they call, losing nothing (gathering.hpp; tls.test.cpp does it over TLS).

#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <mpactor/actors/server/loop_packer.hpp>
#include <mpactor/mpactor.hpp>

#include "busy_processes.hpp"
#include "eventually.hpp"
#include "gathering.hpp"
#include "other_clients.hpp"

using mpactor::loop_packer;
using namespace std::chrono_literals;

TEST_CASE("loop_packer gathers while its clients contend and below pack_below, spreads above "
          "spread_above or when nobody contends") {
  loop_packer p{true};
  CHECK_FALSE(p.packed());
  // Not contended, or by others only: never, however idle the threads.
  CHECK_FALSE(p.tick(false, false, 0, 0));
  CHECK_FALSE(p.tick(false, true, 0, 0));
  CHECK_FALSE(p.packed());
  // Contended by its clients, but the threads together use too much for one.
  CHECK_FALSE(p.tick(true, true, loop_packer::pack_below, 500));
  CHECK_FALSE(p.packed());
  // With time to spare: gathers (and says it changed once).
  CHECK(p.tick(true, true, loop_packer::pack_below - 1, 400));
  CHECK(p.packed());
  CHECK_FALSE(p.tick(true, true, loop_packer::pack_below - 1, 400));
  // Gathered, the one loop may use more than pack_below (hysteresis) ...
  CHECK_FALSE(p.tick(true, true, loop_packer::spread_above, loop_packer::spread_above));
  CHECK(p.packed());
  // ... until it passes spread_above.
  CHECK(p.tick(true, true, loop_packer::spread_above + 1, loop_packer::spread_above + 1));
  CHECK_FALSE(p.packed());
  // Its clients gone quiet while others keep the CPUs busy: still gathered
  // (the next burst of connections starts there).
  REQUIRE(p.tick(true, true, 100, 100));
  CHECK_FALSE(p.tick(false, true, 0, 0));
  CHECK(p.packed());
  // Nobody contends: spread, after quiet_ticks in a row (a tick with
  // contention starts the count again).
  for (int i = 1; i < loop_packer::quiet_ticks; ++i)
    CHECK_FALSE(p.tick(false, false, 0, 0));
  CHECK_FALSE(p.tick(false, true, 0, 0));
  for (int i = 1; i < loop_packer::quiet_ticks; ++i)
    CHECK_FALSE(p.tick(false, false, 0, 0));
  CHECK(p.packed());
  CHECK(p.tick(false, false, 0, 0));
  CHECK_FALSE(p.packed());
}

TEST_CASE("loop_packer does not gather while the I/O threads are starved for a CPU") {
  loop_packer p{true};
  // Contended and little CPU used, but starved: one thread would get one
  // share where two get two.
  CHECK_FALSE(p.tick(true, true, 100, 100, true));
  CHECK_FALSE(p.packed());
  // Fed again: gathers.
  CHECK(p.tick(true, true, 100, 100, false));
  CHECK(p.packed());
  // Starved while gathered: spreads at once, whatever else holds.
  CHECK(p.tick(true, true, 100, 100, true));
  CHECK_FALSE(p.packed());
  CHECK_FALSE(p.tick(true, true, 100, 100, true));
  CHECK_FALSE(p.packed());
}

TEST_CASE("loop_packer turned off never gathers") {
  loop_packer p{false};
  CHECK_FALSE(p.tick(true, true, 0, 0));
  CHECK_FALSE(p.packed());
}

namespace {

// Starts `m`'s server with two event loops, gathering on or off.
void start_two_loops(mpactor::SyncManager& m, bool pack) {
  mpactor::server_limits limits;
  limits.io_threads = 2;
  limits.io_pack_when_busy = pack;
  m.set_limits(limits);
  m.start();
}

} // namespace

TEST_CASE("A server's calling connections move to the first event loop while its clients contend "
          "for the CPUs, and back after, with every call answered") {
  if (!std::ifstream{"/proc/pressure/cpu"}.good()) {
    WARN("no /proc/pressure/cpu here: a server never batches nor gathers, nothing to check");
    return;
  }
  mpactor::SyncManager m;
  start_two_loops(m, true);
  mpactor_test::check_gathering(m, [&] {
    mpactor::SyncManager client{m.address(), m.authkey()};
    client.connect();
    return client;
  });
}

TEST_CASE("With io_pack_when_busy off, connections stay where they were placed") {
  if (!std::ifstream{"/proc/pressure/cpu"}.good()) {
    WARN("no /proc/pressure/cpu here: nothing to check");
    return;
  }
  mpactor::SyncManager m;
  start_two_loops(m, false);
  auto cores = std::max(1u, std::thread::hardware_concurrency());
  mpactor_test::other_clients others{m, cores + 3};
  auto& their_dicts = others.dicts;
  REQUIRE(mpactor_test::eventually(
    [&] { return m.stats().value("cpu_pressure_per_mille", -1) >= 0; }, 10s));
  mpactor_test::busy_processes hogs;
  REQUIRE(hogs.start(cores + 1));
  // The batching (the same contention) comes; the connections stay.
  bool batching = mpactor_test::eventually(
    [&] {
      for (auto& t : their_dicts)
        t.set("k", 1);
      return m.stats().value("io_batch", false);
    },
    20s);
  CHECK(batching);
  auto st = m.stats();
  CHECK_FALSE(st.value("io_packed", true));
  CHECK(st["limits"].value("io_pack_when_busy", true) == false);
  auto loops = mpactor_test::per_loop(st);
  REQUIRE(loops.size() == 2);
  CHECK(loops[1] > 1);
}

// loop_packer: connections gather on one event loop only while the
// server's own clients contend for the CPUs and the I/O threads have time
// to spare, and spread again when either ends. And a real server's
// connections move to the first loop and back while they call, losing
// nothing: not their calls, not a call that waits while its connection
// moves.

#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include <mpactor/actors/server/loop_packer.hpp>
#include <mpactor/mpactor.hpp>

#include "busy_processes.hpp"
#include "eventually.hpp"

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
  // Nobody contends: spread.
  CHECK(p.tick(false, false, 0, 0));
  CHECK_FALSE(p.packed());
}

TEST_CASE("loop_packer turned off never gathers") {
  loop_packer p{false};
  CHECK_FALSE(p.tick(true, true, 0, 0));
  CHECK_FALSE(p.packed());
}

namespace {

// The stats' connections per event loop.
std::vector<std::size_t> per_loop(const mpactor::json& stats) {
  return stats.value("io_loop_connections", std::vector<std::size_t>{});
}

} // namespace

TEST_CASE("A server's calling connections move to the first event loop while its clients contend "
          "for the CPUs, and back after, with every call answered") {
  if (!std::ifstream{"/proc/pressure/cpu"}.good()) {
    WARN("no /proc/pressure/cpu here: a server never batches nor gathers, nothing to check");
    return;
  }
  mpactor::SyncManager m;
  mpactor::server_limits limits;
  limits.io_threads = 2;
  m.set_limits(limits);
  m.start();
  auto d = m.dict();
  auto q = m.Queue();
  // More calling connections than cores: contention by the server's own
  // clients.
  auto cores = std::max(1u, std::thread::hardware_concurrency());
  std::vector<mpactor::SyncManager> others;
  std::vector<mpactor::DictProxy> their_dicts;
  for (unsigned i = 0; i < cores + 3; ++i) {
    others.emplace_back(m.address(), m.authkey());
    others.back().connect();
    their_dicts.push_back(others.back().dict());
  }
  // Placed round robin: both loops have connections.
  auto spread = per_loop(m.stats());
  REQUIRE(spread.size() == 2);
  CHECK(spread[0] > 0);
  CHECK(spread[1] > 0);
  // A call that waits while the others move (another thread: a connection
  // of its own).
  auto got = std::async(std::launch::async, [&] { return q.get<int>(); });
  int round = 0;
  auto all_call = [&] {
    ++round;
    for (std::size_t i = 0; i < their_dicts.size(); ++i) {
      their_dicts[i].set("k", round);
      REQUIRE(their_dicts[i].get<int>("k") == round); // nothing lost in a move
    }
    d.set("k", round);
  };
  REQUIRE(mpactor_test::eventually(
    [&] { return m.stats().value("cpu_pressure_per_mille", -1) >= 0; }, 10s));
  mpactor_test::busy_processes hogs;
  REQUIRE(hogs.start(cores + 1));
  std::vector<std::size_t> loops;
  bool gathered = mpactor_test::eventually(
    [&] {
      all_call();
      auto st = m.stats();
      loops = per_loop(st);
      // The waiting connection has not read since: it stays where it is.
      return st.value("io_packed", false) && loops.size() == 2 && loops[1] <= 1;
    },
    20s);
  INFO("connections per loop: " << loops[0] << " " << loops[1]);
  CHECK(gathered);
  q.put(7);
  REQUIRE(got.wait_for(10s) == std::future_status::ready);
  CHECK(got.get() == 7);
  hogs.stop();
  bool home = mpactor_test::eventually(
    [&] {
      all_call();
      auto st = m.stats();
      loops = per_loop(st);
      return !st.value("io_packed", true) && loops.size() == 2 && loops[0] > 0 && loops[1] > 1;
    },
    20s);
  INFO("connections per loop after: " << loops[0] << " " << loops[1]);
  CHECK(home);
  CHECK(d.get<int>("k") == round);
}

TEST_CASE("With io_pack_when_busy off, connections stay where they were placed") {
  if (!std::ifstream{"/proc/pressure/cpu"}.good()) {
    WARN("no /proc/pressure/cpu here: nothing to check");
    return;
  }
  mpactor::SyncManager m;
  mpactor::server_limits limits;
  limits.io_threads = 2;
  limits.io_pack_when_busy = false;
  m.set_limits(limits);
  m.start();
  auto cores = std::max(1u, std::thread::hardware_concurrency());
  std::vector<mpactor::SyncManager> others;
  std::vector<mpactor::DictProxy> their_dicts;
  for (unsigned i = 0; i < cores + 3; ++i) {
    others.emplace_back(m.address(), m.authkey());
    others.back().connect();
    their_dicts.push_back(others.back().dict());
  }
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
  auto loops = per_loop(st);
  REQUIRE(loops.size() == 2);
  CHECK(loops[1] > 1);
}

#pragma once

// check_gathering: while processes keep every CPU busy and more connections
// call than there are cores, a started server with two event loops gathers
// its calling connections on the first (loop_packer), and spreads them again
// once the CPUs are free, with every call answered meanwhile: the calls of
// the moving connections, and a Queue.get that waits while they move.

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <functional>
#include <future>
#include <thread>
#include <vector>

#include <mpactor/mpactor.hpp>

#include "busy_processes.hpp"
#include "eventually.hpp"

namespace mpactor_test {

/// The stats' connections per event loop.
inline std::vector<std::size_t> per_loop(const mpactor::json& stats) {
  return stats.value("io_loop_connections", std::vector<std::size_t>{});
}

/// `m`: the started server's manager (2 I/O threads); `client()`: another
/// connected client of it (plain or TLS).
inline void check_gathering(mpactor::SyncManager& m,
                            const std::function<mpactor::SyncManager()>& client) {
  using namespace std::chrono_literals;
  auto d = m.dict();
  auto q = m.Queue();
  // More calling connections than cores: contention by the server's own
  // clients.
  auto cores = std::max(1u, std::thread::hardware_concurrency());
  std::vector<mpactor::SyncManager> others;
  std::vector<mpactor::DictProxy> their_dicts;
  for (unsigned i = 0; i < cores + 3; ++i) {
    others.push_back(client());
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
    for (auto& t : their_dicts) {
      t.set("k", round);
      REQUIRE(t.get<int>("k") == round); // nothing lost in a move
    }
    d.set("k", round);
  };
  REQUIRE(eventually([&] { return m.stats().value("cpu_pressure_per_mille", -1) >= 0; }, 10s));
  busy_processes hogs;
  REQUIRE(hogs.start(cores + 1));
  std::vector<std::size_t> loops;
  bool gathered = eventually(
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
  bool home = eventually(
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

} // namespace mpactor_test

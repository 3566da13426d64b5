// Tests of EventProxy and BarrierProxy: flags and waits, barrier rounds,
// arrival indices, abort, reset, timeouts (BrokenBarrierError), across
// threads and processes.

#include <catch2/catch.hpp>

#include <chrono>
#include <set>
#include <thread>
#include <vector>

#include <mpactor/mpactor.hpp>

#include "eventually.hpp"

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;
using mpactor_test::eventually;

namespace {
} // namespace

// ---- Event -----------------------------------------------------------------

TEST_CASE("An Event starts clear and set and clear change is_set") {
  auto m = mpactor::Manager();
  auto sut = m.Event();
  CHECK_FALSE(sut.is_set());
  sut.set();
  CHECK(sut.is_set());
  sut.set(); // idempotent
  CHECK(sut.is_set());
  sut.clear();
  CHECK_FALSE(sut.is_set());
}

TEST_CASE("Event wait returns true at once when set and false after its timeout when clear") {
  auto m = mpactor::Manager();
  auto sut = m.Event();
  CHECK_FALSE(sut.wait(0ms));
  auto t0 = clock_type::now();
  CHECK_FALSE(sut.wait(100ms));
  auto took = clock_type::now() - t0;
  // Tolerance: not early; late by under 900 ms on a loaded 2-core machine.
  CHECK(took >= 95ms);
  CHECK(took < 1s);
  sut.set();
  CHECK(sut.wait());
  CHECK(sut.wait(0ms));
}

TEST_CASE("Threads waiting on an Event all wake when it is set") {
  auto m = mpactor::Manager();
  auto sut = m.Event();
  auto woke = m.list();
  std::vector<std::thread> ts;
  for (int i = 0; i < 3; ++i)
    ts.emplace_back([&] { woke.append(sut.wait(5s)); });
  // All three wait in the server before the set: the waiting path runs.
  REQUIRE(eventually([&] { return sut.n_waiting() == 3; }));
  sut.set();
  for (auto& t : ts)
    t.join();
  CHECK(woke.count(true) == 3);
}

TEST_CASE("A child process sets the Event the parent waits on") {
  auto m = mpactor::Manager();
  auto sut = m.Event();
  auto go = m.Event();
  mpactor::Process child([sut, go] {
    if (!go.wait(5s))
      throw mpactor::SystemExit{2};
    sut.set();
  });
  child.start();
  CHECK_FALSE(sut.is_set());
  go.set();
  CHECK(sut.wait(5s));
  REQUIRE(child.join(5s));
  CHECK(child.exitcode() == 0);
}

// ---- Barrier ---------------------------------------------------------------

TEST_CASE("A Barrier reports its parties and refuses fewer than one") {
  auto m = mpactor::Manager();
  auto sut = m.Barrier(3);
  CHECK(sut.parties() == 3);
  CHECK(sut.n_waiting() == 0);
  CHECK_FALSE(sut.broken());
  CHECK_THROWS_AS(m.Barrier(0), mpactor::ValueError);
}

TEST_CASE("A Barrier of one party never waits") {
  auto m = mpactor::Manager();
  auto sut = m.Barrier(1);
  CHECK(sut.wait() == 0);
  CHECK(sut.wait() == 0);
}

TEST_CASE("A Barrier releases all threads together with distinct indices and is reusable") {
  auto m = mpactor::Manager();
  auto sut = m.Barrier(3);
  for (int round = 0; round < 2; ++round) {
    auto indices = m.list();
    std::vector<std::thread> ts;
    for (int i = 0; i < 2; ++i)
      ts.emplace_back([&] { indices.append(sut.wait(5s)); });
    REQUIRE(eventually([&] { return sut.n_waiting() == 2; }));
    indices.append(sut.wait(5s));
    for (auto& t : ts)
      t.join();
    auto v = indices.to_vector<long>();
    CHECK(std::set<long>(v.begin(), v.end()) == std::set<long>{0, 1, 2});
    CHECK(sut.n_waiting() == 0);
    CHECK_FALSE(sut.broken());
  }
}

TEST_CASE("A Barrier synchronizes processes") {
  auto m = mpactor::Manager();
  auto sut = m.Barrier(3);
  auto after = m.list();
  std::vector<mpactor::Process> ps;
  for (int i = 0; i < 2; ++i)
    ps.emplace_back([sut, after] { after.append(sut.wait(5s)); });
  for (auto& p : ps)
    p.start();
  REQUIRE(eventually([&] { return sut.n_waiting() == 2; }));
  CHECK(after.size() == 0); // nobody passed yet
  after.append(sut.wait(5s));
  for (auto& p : ps) {
    REQUIRE(p.join(5s));
    CHECK(p.exitcode() == 0);
  }
  CHECK(after.size() == 3);
}

TEST_CASE("abort breaks a Barrier: waiters and later waits raise BrokenBarrierError") {
  auto m = mpactor::Manager();
  auto sut = m.Barrier(2);
  bool raised = false;
  std::thread waiter([&] {
    try {
      sut.wait(5s);
    } catch (const mpactor::BrokenBarrierError&) {
      raised = true;
    }
  });
  REQUIRE(eventually([&] { return sut.n_waiting() == 1; }));
  sut.abort();
  waiter.join();
  CHECK(raised);
  CHECK(sut.broken());
  CHECK_THROWS_AS(sut.wait(1s), mpactor::BrokenBarrierError);
}

TEST_CASE("reset raises BrokenBarrierError in waiters and makes the Barrier usable again") {
  auto m = mpactor::Manager();
  auto sut = m.Barrier(2);
  bool raised = false;
  std::thread waiter([&] {
    try {
      sut.wait(5s);
    } catch (const mpactor::BrokenBarrierError&) {
      raised = true;
    }
  });
  REQUIRE(eventually([&] { return sut.n_waiting() == 1; }));
  sut.reset();
  waiter.join();
  CHECK(raised);
  CHECK_FALSE(sut.broken());
  CHECK(sut.n_waiting() == 0);
  // Usable again: a full round passes.
  long other = -1;
  std::thread t([&] { other = sut.wait(5s); });
  long mine = sut.wait(5s);
  t.join();
  CHECK(mine + other == 1);
  // A reset of a broken barrier repairs it too.
  sut.abort();
  CHECK(sut.broken());
  sut.reset();
  CHECK_FALSE(sut.broken());
}

TEST_CASE("A Barrier wait that times out raises BrokenBarrierError and breaks the barrier") {
  auto m = mpactor::Manager();
  auto sut = m.Barrier(2);
  auto t0 = clock_type::now();
  CHECK_THROWS_AS(sut.wait(100ms), mpactor::BrokenBarrierError);
  auto took = clock_type::now() - t0;
  // Tolerance: not early; late by under 900 ms on a loaded 2-core machine.
  CHECK(took >= 95ms);
  CHECK(took < 1s);
  CHECK(sut.broken());
  CHECK_THROWS_AS(sut.wait(1s), mpactor::BrokenBarrierError);
}

TEST_CASE("A Barrier's default timeout applies to a wait without one") {
  auto m = mpactor::Manager();
  auto sut = m.Barrier(2, 100ms);
  auto t0 = clock_type::now();
  CHECK_THROWS_AS(sut.wait(), mpactor::BrokenBarrierError);
  // Tolerance: late by under 900 ms; a missing default would hang until the
  // test's own limit instead.
  CHECK(clock_type::now() - t0 < 1s);
  CHECK(sut.broken());
}

TEST_CASE("A Barrier whose waiting party dies is broken for the others") {
  auto m = mpactor::Manager();
  auto sut = m.Barrier(3);
  mpactor::Process child([sut] { sut.wait(10s); });
  child.start();
  REQUIRE(eventually([&] { return sut.n_waiting() == 1; }));
  child.kill();
  REQUIRE(child.join(5s));
  // The session ends when the dead child's connection closes.
  CHECK(eventually([&] { return sut.broken(); }, 2000ms));
  CHECK_THROWS_AS(sut.wait(1s), mpactor::BrokenBarrierError);
}

// A client process that dies (SIGKILL) gives back what it held: Lock, RLock,
// Semaphore slots and a Condition's lock go to the next waiter, and objects
// only it referred to are freed, within 2 s.

#include <catch2/catch.hpp>

#include <chrono>
#include <csignal>
#include <thread>

#include <unistd.h>

#include <mpactor/mpactor.hpp>

#include "eventually.hpp"

using namespace std::chrono_literals;
using namespace mpactor;
using mpactor_test::eventually;

namespace {

// Starts a child that runs `hold`, signals `ready`, then waits to be killed;
// kills it once ready.
template <class F>
void die_holding(const SyncManager& m, F hold) {
  auto ready = m.Event();
  Process child([&] {
    hold();
    ready.set();
    pause();
  });
  child.start();
  REQUIRE(ready.wait(5s));
  child.kill();
  child.join();
  REQUIRE(child.exitcode() == -SIGKILL);
}

// Kills `child` (started, blocked in a call that waits in the server) and
// waits until the server has dropped its waiter: `n_waiting()` falls to `left`.
template <class N>
void kill_waiter(Process& child, N n_waiting, long left) {
  child.kill();
  REQUIRE(child.join(5s));
  REQUIRE(child.exitcode() == -SIGKILL);
  // The server drops the waiter when it sees the connection close.
  CHECK(eventually([&] { return n_waiting() == left; }, 2000ms));
}

} // namespace

TEST_CASE("A Lock held by a killed client goes to the next acquirer within 2 s") {
  auto m = Manager();
  auto sut = m.Lock();
  die_holding(m, [&] { REQUIRE(sut.acquire()); });
  CHECK(sut.acquire(true, 2s));
  sut.release();
}

TEST_CASE("An RLock held twice by a killed client is released within 2 s") {
  auto m = Manager();
  auto sut = m.RLock();
  die_holding(m, [&] {
    REQUIRE(sut.acquire());
    REQUIRE(sut.acquire());
  });
  CHECK(sut.acquire(true, 2s));
  sut.release();
}

TEST_CASE("Semaphore slots of a killed client come back within 2 s") {
  auto m = Manager();
  auto sut = m.BoundedSemaphore(2);
  die_holding(m, [&] {
    REQUIRE(sut.acquire());
    REQUIRE(sut.acquire());
  });
  CHECK(sut.acquire(true, 2s));
  CHECK(sut.acquire(true, 2s));
  sut.release();
  sut.release();
  CHECK_THROWS_AS(sut.release(), ValueError); // back at its bound, not above
}

TEST_CASE("A Condition held by a killed client can be acquired within 2 s") {
  auto m = Manager();
  auto sut = m.Condition();
  die_holding(m, [&] { REQUIRE(sut.acquire()); });
  CHECK(sut.acquire(true, 2s));
  sut.release();
}

TEST_CASE("Objects only a killed client referred to are freed within 2 s") {
  auto m = Manager();
  auto before = m.stats()["objects"].get<long>();
  die_holding(m, [&] {
    static auto mine = m.dict({{"a", 1}}); // alive until the process dies
    (void) mine;
  });
  // Nothing signals the server's cleanup to this process: poll, with a bound.
  auto deadline = std::chrono::steady_clock::now() + 2s;
  long now = -1;
  do {
    now = m.stats()["objects"].get<long>();
    if (now <= before)
      break;
    std::this_thread::sleep_for(10ms);
  } while (std::chrono::steady_clock::now() < deadline);
  CHECK(now == before);
}

// A killed client blocked in a wait is first in line; a live one waits behind
// it. What the dead one waited for (the item, the lock, the notify) must go
// to the live one.

TEST_CASE("An item put after a getter was killed goes to the live getter behind it") {
  auto m = Manager();
  auto sut = m.Queue();
  Process child([&] { sut.get(); });
  child.start();
  REQUIRE(eventually([&] { return sut.n_waiting() == 1; }));
  json got;
  std::thread live([&] { got = sut.get(true, 5s); });
  REQUIRE(eventually([&] { return sut.n_waiting() == 2; }));
  kill_waiter(child, [&] { return sut.n_waiting(); }, 1);
  sut.put("item");
  live.join();
  CHECK(got == "item");
}

TEST_CASE("A Lock released after its first waiter was killed goes to the live waiter") {
  auto m = Manager();
  auto sut = m.Lock();
  REQUIRE(sut.acquire());
  Process child([&] { sut.acquire(); });
  child.start();
  REQUIRE(eventually([&] { return sut.n_waiting() == 1; }));
  bool got = false;
  std::thread live([&] {
    got = sut.acquire(true, 5s);
    if (got)
      sut.release();
  });
  REQUIRE(eventually([&] { return sut.n_waiting() == 2; }));
  kill_waiter(child, [&] { return sut.n_waiting(); }, 1);
  sut.release();
  live.join();
  CHECK(got);
  CHECK(sut.acquire(false)); // and the live one gave it back: free
  sut.release();
}

TEST_CASE("A Semaphore slot released after its first waiter was killed goes to the live waiter") {
  auto m = Manager();
  auto sut = m.Semaphore(0);
  Process child([&] { sut.acquire(); });
  child.start();
  REQUIRE(eventually([&] { return sut.n_waiting() == 1; }));
  bool got = false;
  std::thread live([&] { got = sut.acquire(true, 5s); });
  REQUIRE(eventually([&] { return sut.n_waiting() == 2; }));
  kill_waiter(child, [&] { return sut.n_waiting(); }, 1);
  sut.release();
  live.join();
  CHECK(got);
}

TEST_CASE("A notify after a Condition waiter was killed wakes the live waiter") {
  auto m = Manager();
  auto sut = m.Condition();
  Process child([&] {
    sut.acquire();
    sut.wait();
  });
  child.start();
  REQUIRE(eventually([&] { return sut.n_waiting() == 1; }));
  bool notified = false;
  std::thread live([&] {
    sut.acquire();
    notified = sut.wait(5s);
    sut.release();
  });
  REQUIRE(eventually([&] { return sut.n_waiting() == 2; }));
  kill_waiter(child, [&] { return sut.n_waiting(); }, 1);
  REQUIRE(sut.acquire(true, 5s));
  sut.notify(1);
  sut.release();
  live.join();
  CHECK(notified);
}

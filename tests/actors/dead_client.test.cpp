// A client process that dies (SIGKILL) gives back what it held: Lock, RLock,
// Semaphore slots and a Condition's lock go to the next waiter, and objects
// only it referred to are freed, within 2 s.

#include <catch2/catch.hpp>

#include <chrono>
#include <csignal>
#include <thread>

#include <unistd.h>

#include <mpactor/mpactor.hpp>

using namespace std::chrono_literals;
using namespace mpactor;

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

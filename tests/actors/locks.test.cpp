// Tests of AcquirerProxy for Lock, RLock, Semaphore and BoundedSemaphore:
// acquire/release, timeouts, errors, ownership by calling thread and
// process (not by proxy object), and release of a dead process's holds.

#include <catch2/catch.hpp>

#include <chrono>
#include <csignal>
#include <mutex>
#include <thread>

#include <mpactor/mpactor.hpp>

#include "eventually.hpp"

using namespace std::chrono_literals;
using mpactor_test::eventually;
using clock_type = std::chrono::steady_clock;

// ---- Lock ------------------------------------------------------------------

TEST_CASE("A Lock is acquired once and a second non-blocking acquire fails") {
  auto m = mpactor::Manager();
  auto sut = m.Lock();
  CHECK(sut.acquire());
  std::thread other([&] { CHECK_FALSE(sut.acquire(false)); });
  other.join();
  sut.release();
  CHECK(sut.acquire(false));
  sut.release();
}

TEST_CASE("Releasing a Lock that is not held raises RuntimeError") {
  auto m = mpactor::Manager();
  auto sut = m.Lock();
  CHECK_THROWS_AS(sut.release(), mpactor::RuntimeError);
  sut.acquire();
  sut.release();
  CHECK_THROWS_AS(sut.release(), mpactor::RuntimeError);
}

TEST_CASE("A blocking acquire of a Lock its own thread holds raises ValueError instead of deadlocking") {
  auto m = mpactor::Manager();
  auto sut = m.Lock();
  sut.acquire();
  CHECK_THROWS_AS(sut.acquire(), mpactor::ValueError);
  CHECK_FALSE(sut.acquire(false));
  CHECK_FALSE(sut.acquire(true, 20ms));
  sut.release();
}

TEST_CASE("A Lock acquire with a timeout gives up after about the timeout") {
  auto m = mpactor::Manager();
  auto sut = m.Lock();
  sut.acquire();
  bool got = true;
  clock_type::duration took{};
  std::thread other([&] {
    auto t0 = clock_type::now();
    got = sut.acquire(100ms);
    took = clock_type::now() - t0;
  });
  other.join();
  CHECK_FALSE(got);
  // Tolerance: not early; late by under 900 ms on a loaded 2-core machine.
  CHECK(took >= 95ms);
  CHECK(took < 1s);
  sut.release();
}

TEST_CASE("A Lock works with std::lock_guard and try_lock") {
  auto m = mpactor::Manager();
  auto sut = m.Lock();
  {
    std::lock_guard<mpactor::AcquirerProxy> guard{sut};
    std::thread other([&] { CHECK_FALSE(sut.try_lock()); });
    other.join();
  }
  CHECK(sut.try_lock());
  sut.unlock();
}

TEST_CASE("A Lock held by one thread may be released by another as in Python") {
  auto m = mpactor::Manager();
  auto sut = m.Lock();
  sut.acquire();
  std::thread other([&] { sut.release(); });
  other.join();
  CHECK(sut.acquire(false));
  sut.release();
}

TEST_CASE("A waiting thread gets the Lock when its holder releases it") {
  auto m = mpactor::Manager();
  auto sut = m.Lock();
  sut.acquire();
  bool got = false;
  std::thread waiter([&] {
    got = sut.acquire(true, 5s);
    sut.release();
  });
  REQUIRE(eventually([&] { return sut.n_waiting() == 1; })); // the acquire waits in the server
  sut.release();
  waiter.join();
  CHECK(got);
}

TEST_CASE("A Lock excludes a child process until the parent releases it") {
  auto m = mpactor::Manager();
  auto sut = m.Lock();
  auto log = m.list();
  auto waiting = m.Event();
  sut.acquire();
  mpactor::Process child([sut, log, waiting] {
    if (sut.acquire(false))
      throw mpactor::SystemExit{2}; // the parent holds it
    log.append("child waits");
    waiting.set();
    if (!sut.acquire(true, 5s))
      throw mpactor::SystemExit{3};
    log.append("child has it");
    sut.release();
  });
  child.start();
  // The child announces that it waits; then the parent releases.
  REQUIRE(waiting.wait(5s));
  log.append("parent releases");
  sut.release();
  REQUIRE(child.join(5s));
  CHECK(child.exitcode() == 0);
  CHECK(log.copy() == mpactor::json::array({"child waits", "parent releases", "child has it"}));
}

TEST_CASE("A Lock held by a child that exits is released for the others") {
  auto m = mpactor::Manager();
  auto sut = m.Lock();
  mpactor::Process child([sut] { sut.acquire(); }); // exits holding it
  child.start();
  REQUIRE(child.join(5s));
  CHECK(child.exitcode() == 0);
  CHECK(sut.acquire(true, 2s));
  sut.release();
}

TEST_CASE("A Lock held by a child killed with SIGKILL is released for the others") {
  auto m = mpactor::Manager();
  auto sut = m.Lock();
  auto held = m.Event();
  auto never = m.Event();
  mpactor::Process child([sut, held, never] {
    sut.acquire();
    held.set();
    never.wait(10s);
  });
  child.start();
  REQUIRE(held.wait(5s));
  CHECK_FALSE(sut.acquire(false));
  child.kill();
  REQUIRE(child.join(5s));
  CHECK(child.exitcode() == -SIGKILL);
  CHECK(sut.acquire(true, 2s));
  sut.release();
}

// ---- RLock -----------------------------------------------------------------

TEST_CASE("An RLock is re-entered by its owner and needs as many releases") {
  auto m = mpactor::Manager();
  auto sut = m.RLock();
  CHECK(sut.acquire());
  CHECK(sut.acquire());
  CHECK(sut.acquire(false));
  sut.release();
  sut.release();
  std::thread other1([&] { CHECK_FALSE(sut.acquire(false)); });
  other1.join();
  sut.release();
  std::thread other2([&] {
    CHECK(sut.acquire(false));
    sut.release();
  });
  other2.join();
  CHECK_THROWS_AS(sut.release(), mpactor::RuntimeError);
}

TEST_CASE("An RLock is owned by the calling thread not by the proxy object") {
  auto m = mpactor::Manager();
  auto sut = m.RLock();
  auto copy = sut; // another proxy object, same thread: same owner
  sut.acquire();
  CHECK(copy.acquire(false));
  copy.release();
  // Another thread with the very same proxy object is not the owner.
  std::thread other([&] {
    CHECK_FALSE(sut.acquire(false));
    CHECK_THROWS_AS(sut.release(), mpactor::RuntimeError);
  });
  other.join();
  copy.release(); // released through the copy
  CHECK_THROWS_AS(sut.release(), mpactor::RuntimeError);
}

TEST_CASE("An RLock held by the parent cannot be released or taken by a child") {
  auto m = mpactor::Manager();
  auto sut = m.RLock();
  sut.acquire();
  mpactor::Process child([sut] {
    // Same thread number as the parent's thread (a copy of it), but another
    // process: not the owner.
    if (sut.acquire(false))
      throw mpactor::SystemExit{2};
    try {
      sut.release();
      throw mpactor::SystemExit{3};
    } catch (const mpactor::RuntimeError&) {
      // expected
    }
  });
  child.start();
  REQUIRE(child.join(5s));
  CHECK(child.exitcode() == 0);
  sut.release();
}

TEST_CASE("A thread waiting on an RLock gets it when the owner releases fully") {
  auto m = mpactor::Manager();
  auto sut = m.RLock();
  sut.acquire();
  sut.acquire();
  bool got = false;
  std::thread waiter([&] {
    got = sut.acquire(true, 5s);
    if (got)
      sut.release();
  });
  REQUIRE(eventually([&] { return sut.n_waiting() == 1; })); // the acquire waits in the server
  sut.release();
  sut.release();
  waiter.join();
  CHECK(got);
}

// ---- Semaphore -------------------------------------------------------------

TEST_CASE("A Semaphore lets in as many holders as its value") {
  auto m = mpactor::Manager();
  auto sut = m.Semaphore(2);
  CHECK(sut.acquire());
  CHECK(sut.acquire());
  CHECK_FALSE(sut.acquire(false));
  CHECK_FALSE(sut.acquire(true, 20ms));
  sut.release();
  CHECK(sut.acquire(false));
  sut.release();
  sut.release();
}

TEST_CASE("A Semaphore may be released above its initial value") {
  auto m = mpactor::Manager();
  auto sut = m.Semaphore(0);
  CHECK_FALSE(sut.acquire(false));
  sut.release();
  sut.release();
  CHECK(sut.acquire(false));
  CHECK(sut.acquire(false));
  CHECK_FALSE(sut.acquire(false));
}

TEST_CASE("A Semaphore with a negative value is refused") {
  auto m = mpactor::Manager();
  CHECK_THROWS_AS(m.Semaphore(-1), mpactor::ValueError);
}

TEST_CASE("A Semaphore acquire with a timeout gives up after about the timeout") {
  auto m = mpactor::Manager();
  auto sut = m.Semaphore(0);
  auto t0 = clock_type::now();
  CHECK_FALSE(sut.acquire(100ms));
  auto took = clock_type::now() - t0;
  // Tolerance: not early; late by under 900 ms on a loaded 2-core machine.
  CHECK(took >= 95ms);
  CHECK(took < 1s);
}

TEST_CASE("A Semaphore release in a child wakes the parent waiting on it") {
  auto m = mpactor::Manager();
  auto sut = m.Semaphore(0);
  mpactor::Process child([sut] { sut.release(); });
  child.start();
  CHECK(sut.acquire(true, 5s));
  REQUIRE(child.join(5s));
  CHECK(child.exitcode() == 0);
}

TEST_CASE("A Semaphore slot taken by a child that dies is given back") {
  auto m = mpactor::Manager();
  auto sut = m.Semaphore(1);
  mpactor::Process child([sut] {
    if (!sut.acquire(false))
      throw mpactor::SystemExit{2};
  });
  child.start();
  REQUIRE(child.join(5s));
  REQUIRE(child.exitcode() == 0); // the child held the slot when it exited
  CHECK(sut.acquire(true, 2s));
}

// ---- BoundedSemaphore ------------------------------------------------------

TEST_CASE("A BoundedSemaphore released above its initial value raises ValueError") {
  auto m = mpactor::Manager();
  auto sut = m.BoundedSemaphore(2);
  CHECK_THROWS_AS(sut.release(), mpactor::ValueError);
  CHECK(sut.acquire());
  sut.release();
  CHECK_THROWS_AS(sut.release(), mpactor::ValueError);
  // Its value is still 2: two acquire, the third does not.
  CHECK(sut.acquire(false));
  CHECK(sut.acquire(false));
  CHECK_FALSE(sut.acquire(false));
}

TEST_CASE("A BoundedSemaphore lets in as many holders as its value across threads") {
  auto m = mpactor::Manager();
  auto sut = m.BoundedSemaphore(1);
  sut.acquire();
  std::thread other([&] { CHECK_FALSE(sut.acquire(false)); });
  other.join();
  sut.release();
  std::thread other2([&] {
    CHECK(sut.acquire(false));
    sut.release();
  });
  other2.join();
}

// Lock and RLock: acquire/release, timeouts, recursion, ownership, dead owners.

#include <catch2/catch.hpp>

#include <atomic>
#include <csignal>
#include <mutex>
#include <thread>

#include <unistd.h>

#include <mpactor/mpactor.hpp>

using namespace std::chrono_literals;
using mpactor::Lock;
using mpactor::Process;
using mpactor::RLock;

namespace {

// A one-shot signal between processes: a pipe the child writes one byte to.
struct pipe_signal {
  int fds[2];
  pipe_signal() { REQUIRE(pipe(fds) == 0); }
  ~pipe_signal() {
    close(fds[0]);
    close(fds[1]);
  }
  void notify() const {
    char c = 1;
    (void) !write(fds[1], &c, 1);
  }
  void wait() const {
    char c;
    REQUIRE(read(fds[0], &c, 1) == 1);
  }
};

} // namespace

TEST_CASE("Lock acquire and release toggle the lock") {
  Lock sut;
  REQUIRE(sut.acquire());
  CHECK(sut.is_owned());
  sut.release();
  CHECK_FALSE(sut.is_owned());
  REQUIRE(sut.acquire(false));
  sut.release();
}

TEST_CASE("Lock works with lock_guard, unique_lock and scoped_lock") {
  Lock a;
  RLock b;
  {
    std::lock_guard<Lock> g{a};
    CHECK(a.is_owned());
  }
  CHECK_FALSE(a.is_owned());
  {
    std::unique_lock<Lock> u{a, 10ms};
    CHECK(u.owns_lock());
  }
  {
    std::scoped_lock both{a, b};
    CHECK(a.is_owned());
    CHECK(b.is_owned());
  }
  CHECK_FALSE(b.is_owned());
}

TEST_CASE("Lock release without holding it throws ValueError") {
  Lock sut;
  CHECK_THROWS_AS(sut.release(), mpactor::ValueError);
  RLock rsut;
  CHECK_THROWS_AS(rsut.release(), mpactor::ValueError);
}

TEST_CASE("Lock release by another thread than the owner throws ValueError") {
  Lock sut;
  REQUIRE(sut.acquire());
  bool threw = false;
  std::thread([&] {
    try {
      sut.release();
    } catch (const mpactor::ValueError&) {
      threw = true;
    }
  }).join();
  CHECK(threw);
  sut.release();
}

TEST_CASE("Lock try from another thread fails while held, then succeeds") {
  Lock sut;
  REQUIRE(sut.acquire());
  bool got = true;
  std::thread([&] { got = sut.acquire(false); }).join();
  CHECK_FALSE(got);
  sut.release();
  std::thread([&] {
    got = sut.acquire(false);
    if (got)
      sut.release();
  }).join();
  CHECK(got);
}

TEST_CASE("Lock acquire with timeout returns false when another process holds it") {
  // Tolerance: only "returned false, not before the timeout" is asserted.
  Lock sut;
  pipe_signal held, done;
  Process p([&] {
    sut.acquire();
    held.notify();
    done.wait();
    sut.release();
  });
  p.start();
  held.wait();
  auto t0 = std::chrono::steady_clock::now();
  CHECK_FALSE(sut.acquire(true, 50ms));
  CHECK(std::chrono::steady_clock::now() - t0 >= 50ms);
  CHECK_FALSE(sut.try_lock_for(1ms));
  CHECK_FALSE(sut.acquire(false));
  done.notify();
  p.join();
  CHECK(p.exitcode() == 0);
  CHECK(sut.acquire(true, 5s));
  sut.release();
}

TEST_CASE("Lock blocking re-acquire by its owner throws instead of deadlocking") {
  Lock sut;
  REQUIRE(sut.acquire());
  CHECK_FALSE(sut.acquire(false));
  CHECK_FALSE(sut.acquire(true, 1ms));
  CHECK_THROWS_AS(sut.acquire(), mpactor::ValueError);
  sut.release();
}

TEST_CASE("RLock counts recursion and releases at depth zero") {
  RLock sut;
  REQUIRE(sut.acquire());
  REQUIRE(sut.acquire());
  REQUIRE(sut.acquire(false));
  CHECK(sut.depth() == 3);
  sut.release();
  sut.release();
  CHECK(sut.depth() == 1);
  bool other = true;
  std::thread([&] { other = sut.acquire(false); }).join();
  CHECK_FALSE(other);
  sut.release();
  CHECK(sut.depth() == 0);
  CHECK_THROWS_AS(sut.release(), mpactor::ValueError);
  std::thread([&] {
    other = sut.acquire(false);
    if (other)
      sut.release();
  }).join();
  CHECK(other);
}

TEST_CASE("RLock release by a non-owner thread throws ValueError") {
  RLock sut;
  REQUIRE(sut.acquire());
  bool threw = false;
  std::thread([&] {
    try {
      sut.release();
    } catch (const mpactor::ValueError&) {
      threw = true;
    }
  }).join();
  CHECK(threw);
  CHECK(sut.depth() == 1);
  sut.release();
}

TEST_CASE("Lock held by a killed process goes to the next acquirer, who is told") {
  Lock sut;
  pipe_signal held;
  Process p([&] {
    sut.acquire();
    held.notify();
    pause(); // holds the lock until killed
  });
  p.start();
  held.wait();
  p.kill();
  p.join();
  CHECK(p.exitcode() == -SIGKILL);
  REQUIRE(sut.acquire(true, 5s));
  CHECK(sut.owner_died());
  sut.release();
  REQUIRE(sut.acquire(true, 5s));
  CHECK_FALSE(sut.owner_died());
  sut.release();
}

TEST_CASE("RLock held by a thread that exited goes to the next acquirer") {
  RLock sut;
  std::thread([&] {
    sut.acquire();
    sut.acquire();
  }).join();
  REQUIRE(sut.acquire(true, 5s));
  CHECK(sut.owner_died());
  CHECK(sut.depth() == 1);
  sut.release();
  CHECK(sut.depth() == 0);
}

TEST_CASE("Lock copies refer to the same lock") {
  Lock a;
  Lock b = a;
  CHECK(a == b);
  CHECK(a != Lock{});
  REQUIRE(a.acquire());
  CHECK(b.is_owned());
  b.release();
  CHECK_FALSE(a.is_owned());
}

TEST_CASE("Lock serializes two processes") {
  Lock sut;
  mpactor::RawValue<long> counter{0};
  auto work = [&] {
    for (int i = 0; i < 20000; ++i) {
      std::lock_guard<Lock> g{sut};
      counter.get_obj() = counter.get_obj() + 1;
    }
  };
  Process a(work), b(work);
  a.start();
  b.start();
  a.join();
  b.join();
  CHECK(counter.value() == 40000);
}

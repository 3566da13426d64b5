// Tests that proxies are handles: a const proxy (one captured by value in a
// Process lambda) locks with std::lock_guard / std::unique_lock and calls.

#include <catch2/catch.hpp>

#include <mutex>

#include <mpactor/mpactor.hpp>

using namespace std::chrono_literals;

TEST_CASE("A const AcquirerProxy locks with std::lock_guard and std::unique_lock") {
  auto m = mpactor::Manager();
  const auto sut = m.Lock();
  {
    std::lock_guard<mpactor::AcquirerProxy> hold(sut);
    CHECK_FALSE(m.Lock() == sut);
  }
  std::unique_lock<mpactor::AcquirerProxy> hold(sut);
  CHECK(hold.owns_lock());
  hold.unlock();
  CHECK(sut.acquire(false));
  sut.release();
}

TEST_CASE("A proxy captured by value in a Process lambda locks and calls") {
  auto m = mpactor::Manager();
  auto lock = m.Lock();
  auto cond = m.Condition();
  auto d = m.dict();
  mpactor::Process child([lock, cond, d] {
    {
      std::lock_guard<mpactor::AcquirerProxy> hold(lock);
      d["locked"] = true;
    }
    std::unique_lock<mpactor::ConditionProxy> hold(cond);
    cond.notify_all();
    d["notified"] = true;
  });
  child.start();
  REQUIRE(child.join(30s));
  CHECK(child.exitcode() == 0);
  CHECK(d["locked"] == true);
  CHECK(d["notified"] == true);
}

// A call that runs longer than the client's dead-server bound is not mistaken
// for a frozen server: the server's heartbeat speaks for the busy connection.

#include <catch2/catch.hpp>

#include <chrono>
#include <atomic>
#include <thread>
#include <vector>

#include <mpactor/mpactor.hpp>

namespace {

struct slow_worker {
  // The work itself takes this long (it is the workload, not a wait).
  int work(int ms) {
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    return ms;
  }
};

} // namespace

TEST_CASE("A call longer than the dead-server bound completes") {
  mpactor::SyncManager m;
  m.register_type<slow_worker>("slow").expose("work", &slow_worker::work);
  m.start();
  auto sut = m.create<mpactor::AutoProxy>("slow");
  auto ms = static_cast<int>(mpactor::connection::dead_after.count()) + 1000;
  CHECK(sut.call_method<int>("work", ms) == ms);
}

TEST_CASE("Long calls on every I/O thread do not keep other clients waiting") {
  mpactor::SyncManager m;
  m.register_type<slow_worker>("slow").expose("work", &slow_worker::work);
  mpactor::server_limits limits;
  limits.io_threads = 2;
  m.set_limits(limits);
  m.start();
  auto d = m.dict();
  d.set("k", 1);
  auto ms = static_cast<int>(mpactor::connection::dead_after.count()) + 1000;
  // Two long calls, one per I/O thread, from two threads of this process
  // (each thread has a connection of its own).
  std::vector<std::thread> busy;
  std::atomic<int> done{0};
  for (int i = 0; i < 2; ++i)
    busy.emplace_back([&] {
      auto sut = m.create<mpactor::AutoProxy>("slow");
      if (sut.call_method<int>("work", ms) == ms)
        ++done;
    });
  // Wait until both run: the server has then started an extra thread.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (m.stats().value("extra_io_threads_started", 0) == 0
         && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20)); // polls with a bound
  CHECK(m.stats().value("extra_io_threads_started", 0) >= 1);
  // Another client is read and answered meanwhile, quickly (1 s is far
  // more than a call needs, and far less than the long calls take).
  auto t0 = std::chrono::steady_clock::now();
  CHECK(d.get("k") == 1);
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(1));
  for (auto& t : busy)
    t.join();
  CHECK(done == 2);
}

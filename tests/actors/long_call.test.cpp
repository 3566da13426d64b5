// A call that runs longer than the client's dead-server bound is not mistaken
// for a frozen server: the server's heartbeat speaks for the busy connection.

#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

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

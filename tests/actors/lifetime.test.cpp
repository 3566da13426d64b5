// Tests of object lifetimes: an object is freed when its last proxy (in any
// process) is gone, and creating and dropping many objects leaves the
// server's memory flat.

#include <catch2/catch.hpp>

#include <chrono>
#include <fstream>
#include <memory>
#include <optional>
#include <thread>

#include <poll.h>
#include <unistd.h>
#include <string>

#include <mpactor/mpactor.hpp>

#include "eventually.hpp"

using namespace std::chrono_literals;
using mpactor_test::eventually;
using mpactor::json;
using clock_type = std::chrono::steady_clock;

namespace {

long objects(const mpactor::SyncManager& m) {
  return m.stats()["objects"].get<long>();
}

// Polls the server's object count (each poll a round trip) until it is `n`
// or `bound` passes. Giving back references is asynchronous: a dropped proxy
// sends its decref without waiting (on the client's anchor connection, not
// the one later calls use), and a dead session's references go when the
// server sees its connections close.
bool objects_become(const mpactor::SyncManager& m, long n,
                    std::chrono::milliseconds bound = 2000ms) {
  return eventually([&] { return objects(m) == n; }, bound);
}

long objects_of(const mpactor::SyncManager& m, const std::string& type) {
  return m.stats()["objects_by_type"].value(type, 0L);
}

// Resident memory of process `pid` in kB (VmRSS of /proc/<pid>/status).
long rss_kb(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0)
      return std::stol(line.substr(6));
  return -1;
}

} // namespace

TEST_CASE("An object is freed when its last proxy is dropped") {
  auto m = mpactor::Manager();
  {
    auto sut = m.dict();
    CHECK(objects(m) == 1);
    {
      auto copy = sut;
      CHECK(objects(m) == 1); // a copy is no new reference on the server
    }
    sut.set("k", 1); // still alive after the copy went
    CHECK(objects(m) == 1);
  }
  CHECK(objects_become(m, 0));
}

TEST_CASE("An object read back through a container is not freed with the read proxy") {
  auto m = mpactor::Manager();
  auto holder = m.dict();
  holder.set("sut", m.list());
  for (int i = 0; i < 3; ++i)
    holder.get<mpactor::ListProxy>("sut").append(i); // each temporary proxy is dropped
  CHECK(objects(m) == 2);
  CHECK(holder.get<mpactor::ListProxy>("sut").size() == 3);
  holder.clear();
  CHECK(objects_become(m, 1));
}

TEST_CASE("An object used by a child lives until the child ends too") {
  auto m = mpactor::Manager();
  auto registered = m.Event();
  auto go = m.Event();
  auto used = m.Event();
  // The parent's only proxy of the list sits here; the child has its own
  // copy of this memory after fork.
  auto holder = std::make_shared<std::optional<mpactor::ListProxy>>(m.list());
  mpactor::Process child([holder, registered, go, used] {
    registered.set(); // the child's first call registers its references
    if (!go.wait(5s))
      throw mpactor::SystemExit{2};
    (*holder)->append("child");
    used.set();
  });
  child.start();
  REQUIRE(registered.wait(5s));
  holder->reset(); // the parent lets go; the child still refers to the list
  go.set();
  CHECK(used.wait(5s));
  REQUIRE(child.join(5s));
  CHECK(child.exitcode() == 0);
  // Only the three Events remain once the child's session has ended.
  CHECK(objects_become(m, 3));
}

// A forked child registers the references it inherited on its first call to
// the server; until the child has ended, the parent's Process keeps every
// reference the parent had at start(), so dropping the last proxy in between
// frees nothing.
TEST_CASE("An object inherited by a child survives the parent dropping it before the child's first call") {
  auto m = mpactor::Manager();
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  auto holder = std::make_shared<std::optional<mpactor::ListProxy>>(m.list());
  mpactor::Process child([holder, fd = fds[0]] {
    pollfd pfd{fd, POLLIN, 0};
    char go = 0;
    if (::poll(&pfd, 1, 5000) != 1 || ::read(fd, &go, 1) != 1)
      throw mpactor::SystemExit{2};
    (*holder)->append("child"); // the child's first call
  });
  child.start();
  auto marker = std::make_optional(m.dict());
  holder->reset();
  // The decrefs go in order on one connection: once the marker, dropped
  // after the list, is gone, the list's decref has been handled too. The
  // list must still be there: the child holds a reference.
  marker.reset();
  REQUIRE(eventually([&] { return objects_of(m, "dict") == 0; }));
  CHECK(objects_of(m, "list") == 1);
  (void) !::write(fds[1], "g", 1);
  REQUIRE(child.join(5s));
  CHECK(child.exitcode() == 0);
  ::close(fds[0]);
  ::close(fds[1]);
}

TEST_CASE("Objects created in a child are freed when the child exits") {
  auto m = mpactor::Manager();
  mpactor::Process child([m_addr = m.address(), key = m.authkey()] {
    mpactor::SyncManager mine(m_addr, key);
    mine.connect();
    static auto leaked = mine.dict(); // never dropped: the child just exits
    leaked.set("x", 1);
  });
  child.start();
  REQUIRE(child.join(5s));
  CHECK(child.exitcode() == 0);
  CHECK(objects_become(m, 0));
}

TEST_CASE("Creating and dropping 100000 temporary dicts leaves the server's memory flat") {
  auto m = mpactor::Manager();
  auto pid = m.server_pid();
  // Warm up: the allocator's arenas, CAF's per-thread caches and the object
  // table's hash buckets reach their working size first.
  for (int i = 0; i < 5000; ++i)
    m.dict({{"i", i}});
  REQUIRE(objects_become(m, 0));
  long before = rss_kb(pid);
  REQUIRE(before > 0);
  // Two threads (two connections): the machine's two cores share the
  // client's and the server's work.
  auto churn = [&m] {
    for (int i = 0; i < 50000; ++i)
      m.dict({{"i", i}});
  };
  std::thread other(churn);
  churn();
  other.join();
  CHECK(objects_become(m, 0));
  long after = rss_kb(pid);
  // Tolerance 4 MB: a dict actor with its state costs about 1 kB, so a
  // leak of even a twentieth of them (or 40 bytes per dict) exceeds it,
  // while allocator fragmentation and lazily touched pages stay well below.
  INFO("server VmRSS before " << before << " kB, after " << after << " kB");
  CHECK(after - before < 4096);
}

// Tests of Manager(), BaseManager and SyncManager: start, shutdown, destroy,
// the server's life bound to its parent, connect and authkeys, serving in a
// thread or a Process, stats.

#include <catch2/catch.hpp>

#include <cerrno>
#include <chrono>
#include <future>
#include <csignal>
#include <thread>

#include <fcntl.h>
#include <poll.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <mpactor/mpactor.hpp>

using namespace std::chrono_literals;
using mpactor::json;
using clock_type = std::chrono::steady_clock;

namespace {

bool process_exists(pid_t pid) {
  return ::kill(pid, 0) == 0 || errno != ESRCH;
}

// Waits up to `bound` for any process `pid` (not only a child) to end;
// a pidfd turns readable when it does.
bool wait_for_exit(pid_t pid, std::chrono::milliseconds bound) {
  int fd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  if (fd < 0)
    return errno == ESRCH; // already gone
  pollfd pfd{fd, POLLIN, 0};
  int rc = ::poll(&pfd, 1, static_cast<int>(bound.count()));
  ::close(fd);
  return rc == 1;
}

} // namespace

TEST_CASE("Manager returns a started manager with a server process on loopback") {
  auto sut = mpactor::Manager();
  CHECK(sut.is_alive());
  CHECK(sut.server_pid() > 0);
  CHECK(sut.server_pid() != ::getpid());
  // A local address: an abstract Unix socket (as Python's on Linux) or
  // loopback TCP with the port the system chose.
  auto a = sut.address();
  CHECK((a.is_unix() || (a.host == "127.0.0.1" && a.port != 0)));
  CHECK(sut.authkey().size() >= 16);
  CHECK(mpactor::Manager().authkey() != sut.authkey()); // fresh per manager
}

TEST_CASE("shutdown stops the server and is idempotent") {
  auto sut = mpactor::Manager();
  auto d = sut.dict();
  auto pid = sut.server_pid();
  sut.shutdown();
  CHECK_FALSE(sut.is_alive());
  CHECK_FALSE(process_exists(pid));
  CHECK_NOTHROW(sut.shutdown());
  // join of a stopped server returns at once (tolerance: 500 ms of a loaded
  // machine, half the timeout it must not wait out).
  auto joined = clock_type::now();
  CHECK_NOTHROW(sut.join(1s));
  CHECK(clock_type::now() - joined < 500ms);
  // A proxy of the stopped server fails at once, and does not hang.
  auto t0 = clock_type::now();
  CHECK_THROWS_AS(d.set("k", 1), mpactor::ConnectionError);
  CHECK(clock_type::now() - t0 < 3s);
}

TEST_CASE("Destroying the manager stops its server process") {
  pid_t pid = 0;
  {
    auto sut = mpactor::Manager();
    pid = sut.server_pid();
    REQUIRE(process_exists(pid));
  }
  CHECK_FALSE(process_exists(pid)); // reaped by the destructor
}

TEST_CASE("A moved manager keeps serving") {
  auto first = mpactor::Manager();
  auto d = first.dict();
  mpactor::SyncManager sut = std::move(first);
  d.set("a", 1);
  auto e = sut.dict({{"b", 2}});
  CHECK(e.get("b") == 2);
  CHECK(sut.stats()["objects"] == 2);
}

TEST_CASE("The server exits within 2 s when its parent is killed with SIGKILL") {
  auto m = mpactor::Manager();
  auto pids = m.Queue();
  auto never = m.Event();
  mpactor::Process parent([pids, never] {
    auto inner = mpactor::Manager();
    pids.put(inner.server_pid());
    never.wait(10s);
  });
  parent.start();
  auto server = pids.get<pid_t>(true, 5s);
  REQUIRE(process_exists(server));
  parent.kill();
  REQUIRE(parent.join(5s));
  // The server watches its parent with a pidfd: it ends at once; 2 s is the
  // contract's bound.
  CHECK(wait_for_exit(server, 2000ms));
}

TEST_CASE("start runs the initializer in the server process before serving") {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  mpactor::SyncManager sut;
  sut.start([fd = fds[1]] {
    pid_t me = ::getpid();
    (void) !::write(fd, &me, sizeof(me));
  });
  ::close(fds[1]);
  pollfd pfd{fds[0], POLLIN, 0};
  REQUIRE(::poll(&pfd, 1, 2000) == 1);
  pid_t ran_in = 0;
  CHECK(::read(fds[0], &ran_in, sizeof(ran_in)) == sizeof(ran_in));
  ::close(fds[0]);
  CHECK(ran_in == sut.server_pid());
}

TEST_CASE("A SyncManager started on loopback TCP serves on the port the system chose") {
  mpactor::SyncManager sut(mpactor::Address{"127.0.0.1", 0});
  sut.start();
  CHECK_FALSE(sut.address().is_unix());
  CHECK(sut.address().port != 0);
  auto d = sut.dict({{"tcp", true}});
  CHECK(d.get("tcp") == true);
  mpactor::Process child([d] { d.set("child", 1); });
  child.start();
  REQUIRE(child.join(5s));
  CHECK(child.exitcode() == 0);
  CHECK(d.get("child") == 1);
}

TEST_CASE("Starting a manager twice raises ProcessError") {
  auto sut = mpactor::Manager();
  CHECK_THROWS_AS(sut.start(), mpactor::ProcessError);
  CHECK(sut.is_alive());
}

TEST_CASE("A manager neither started nor connected refuses to create objects") {
  mpactor::SyncManager sut;
  CHECK_FALSE(sut.is_alive());
  CHECK(sut.server_pid() == 0);
  CHECK_THROWS_AS(sut.dict(), mpactor::ValueError);
}

TEST_CASE("Creating an unknown type id raises ValueError") {
  auto sut = mpactor::Manager();
  CHECK_THROWS_AS(sut.create("NoSuchType"), mpactor::ValueError);
}

TEST_CASE("A manager connects to a running server with the right authkey and shares its objects") {
  auto m = mpactor::Manager();
  auto d = m.dict();
  mpactor::SyncManager sut(m.address(), m.authkey());
  sut.connect();
  auto l = sut.list({1, 2});
  d.set("list", l); // an object made through the other manager
  CHECK(d.get<mpactor::ListProxy>("list").size() == 2);
  CHECK(m.stats()["objects"] == 2);
  CHECK_FALSE(sut.is_alive()); // it did not start the server
  sut.shutdown();              // a connected manager does not stop the server
  CHECK(m.is_alive());
  CHECK(d.size() == 1);
}

TEST_CASE("connect with a wrong authkey raises AuthenticationError") {
  auto m = mpactor::Manager();
  mpactor::SyncManager sut(m.address(), "not the key");
  CHECK_THROWS_AS(sut.connect(), mpactor::AuthenticationError);
  mpactor::SyncManager keyless(m.address());
  CHECK_THROWS_AS(keyless.connect(), mpactor::AuthenticationError);
  CHECK(m.dict({{"still", "fine"}}).get("still") == "fine");
}

TEST_CASE("connect to an address where nobody listens raises ConnectionError") {
  mpactor::Address gone;
  {
    auto m = mpactor::Manager();
    gone = m.address();
  }
  mpactor::SyncManager sut(gone, "key");
  auto t0 = clock_type::now();
  CHECK_THROWS_AS(sut.connect(), mpactor::ConnectionError);
  CHECK(clock_type::now() - t0 < 6s); // within client::connect_timeout
}

TEST_CASE("get_server serves forever in a thread until shut down") {
  mpactor::SyncManager host(mpactor::Address{"127.0.0.1", 0}, "thread key");
  auto& srv = host.get_server();
  REQUIRE(srv.address().port != 0);
  CHECK(host.address() == srv.address());
  std::promise<void> returned;
  std::thread serving([&] {
    srv.serve_forever();
    returned.set_value();
  });
  {
    mpactor::SyncManager sut(host.address(), "thread key");
    sut.connect();
    auto d = sut.dict();
    d.set("x", 1);
    CHECK(d.get("x") == 1);
    CHECK(srv.stats()["objects"] == 1);
  }
  srv.shutdown();
  bool ended = returned.get_future().wait_for(5s) == std::future_status::ready;
  if (!ended)
    serving.detach(); // still serving: the test fails, and must not hang in join
  else
    serving.join();
  CHECK(ended); // serve_forever returned after shutdown
}

TEST_CASE("get_server serves forever in a Process that others connect to") {
  auto m = mpactor::Manager();
  auto ports = m.Queue();
  mpactor::Process serving([ports] {
    mpactor::SyncManager host(mpactor::Address{"127.0.0.1", 0}, "process key");
    auto& srv = host.get_server();
    ports.put(srv.address().port);
    srv.serve_forever();
  });
  serving.start();
  auto port = ports.get<std::uint16_t>(true, 5s);
  {
    mpactor::SyncManager sut(mpactor::Address{"127.0.0.1", port}, "process key");
    sut.connect();
    auto q = sut.Queue();
    q.put("through the served process");
    CHECK(q.get(true, 1s) == "through the served process");
    CHECK(sut.stats()["objects"] == 1);
  }
  serving.terminate();
  REQUIRE(serving.join(5s));
}

TEST_CASE("stats counts objects by type and the sessions connected") {
  auto sut = mpactor::Manager();
  auto s0 = sut.stats();
  CHECK(s0["objects"] == 0);
  CHECK(s0["sessions"] >= 1);
  CHECK(s0["connections"] >= 1);
  auto d1 = sut.dict();
  auto d2 = sut.dict();
  auto q = sut.Queue();
  auto s1 = sut.stats();
  CHECK(s1["objects"] == 3);
  CHECK(s1["objects_by_type"]["dict"] == 2);
  CHECK(s1["objects_by_type"]["Queue"] == 1);
  auto joined = sut.Event();
  auto hold = sut.Event();
  mpactor::Process child([joined, hold] {
    joined.set();
    hold.wait(5s);
  });
  child.start();
  REQUIRE(joined.wait(5s));
  CHECK(sut.stats()["sessions"] >= 2); // the child has a session of its own
  hold.set();
  REQUIRE(child.join(5s));
}

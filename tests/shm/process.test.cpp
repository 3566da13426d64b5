// Process: start, join, timeouts, exit codes and signals, exceptions,
// output around fork, and handles dropped while the child runs.

#include <catch2/catch.hpp>

#include <chrono>
#include <csignal>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <poll.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <mpactor/mpactor.hpp>

using namespace std::chrono_literals;
using mpactor::Process;

namespace {

std::string read_all(int fd) {
  std::string out;
  char buf[256];
  ssize_t n;
  while ((n = read(fd, buf, sizeof(buf))) > 0)
    out.append(buf, static_cast<std::size_t>(n));
  return out;
}

bool process_exists(pid_t pid) {
  struct stat st {};
  return stat(("/proc/" + std::to_string(pid)).c_str(), &st) == 0;
}

} // namespace

TEST_CASE("Process runs its target with its arguments in a child") {
  mpactor::Value<int> out{0};
  Process p([](mpactor::Value<int> v, int a, int b) { v = a * b; }, out, 6, 7);
  CHECK(p.pid() == 0);
  CHECK_FALSE(p.is_alive());
  CHECK_FALSE(p.exitcode().has_value());
  p.start();
  CHECK(p.pid() > 0);
  CHECK(p.pid() != getpid());
  p.join();
  CHECK(out.value() == 42);
  CHECK(p.exitcode() == 0);
  CHECK_FALSE(p.is_alive());
}

TEST_CASE("Process names default to Process-N and can be set") {
  Process a, b;
  CHECK(a.name().rfind("Process-", 0) == 0);
  CHECK(a.name() != b.name());
  a.name("worker");
  CHECK(a.name() == "worker");
}

TEST_CASE("Process without a target exits with 0") {
  Process p;
  p.start();
  p.join();
  CHECK(p.exitcode() == 0);
}

TEST_CASE("Process SystemExit sets the exit code") {
  Process p([] { throw mpactor::SystemExit{3}; });
  p.start();
  p.join();
  CHECK(p.exitcode() == 3);
}

TEST_CASE("Process exception prints 'Process <name>: <what>' and exits with 1") {
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  Process p([&] {
    dup2(fds[1], 2);
    throw std::runtime_error("boom");
  });
  p.name("thrower");
  p.start();
  close(fds[1]);
  auto err = read_all(fds[0]);
  close(fds[0]);
  p.join();
  CHECK(p.exitcode() == 1);
  CHECK(err == "Process thrower: boom\n");
}

TEST_CASE("Process terminate and kill give the negative signal as exit code") {
  Process t([] { pause(); });
  Process k([] { pause(); });
  t.start();
  k.start();
  CHECK(t.is_alive());
  t.terminate();
  k.kill();
  t.join();
  k.join();
  CHECK(t.exitcode() == -SIGTERM);
  CHECK(k.exitcode() == -SIGKILL);
  t.terminate(); // ended already: nothing happens
}

TEST_CASE("Process join with a timeout returns false while the child runs") {
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  Process p([&] {
    char c;
    (void) !read(fds[0], &c, 1);
  });
  p.start();
  auto t0 = std::chrono::steady_clock::now();
  CHECK_FALSE(p.join(30ms));
  CHECK(std::chrono::steady_clock::now() - t0 >= 30ms);
  CHECK(p.is_alive());
  CHECK_FALSE(p.exitcode().has_value());
  char c = 1;
  (void) !write(fds[1], &c, 1);
  CHECK(p.join(10s));
  CHECK(p.exitcode() == 0);
  CHECK(p.join(0ms));
  close(fds[0]);
  close(fds[1]);
}

TEST_CASE("Process refuses to start twice and to join before start") {
  Process p;
  CHECK_THROWS_AS(p.join(), mpactor::ProcessError);
  CHECK_THROWS_AS(p.terminate(), mpactor::ProcessError);
  p.start();
  CHECK_THROWS_AS(p.start(), mpactor::ProcessError);
  p.join();
}

TEST_CASE("Process output buffered before start is printed once") {
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  std::cout.flush(); // the test runner's own output must not reach the pipe
  std::fflush(nullptr);
  pid_t helper = fork();
  REQUIRE(helper >= 0);
  if (helper == 0) {
    dup2(fds[1], 1);
    close(fds[0]);
    std::printf("before;"); // buffered: stdout is a pipe
    Process p([] { std::printf("child;"); });
    p.start();
    p.join();
    std::printf("after;");
    std::fflush(stdout);
    _exit(0);
  }
  close(fds[1]);
  auto out = read_all(fds[0]);
  close(fds[0]);
  int status = 0;
  waitpid(helper, &status, 0);
  CHECK(out == "before;child;after;");
}

TEST_CASE("Process destroyed while its child runs leaves no zombie") {
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  pid_t pid;
  {
    Process p([&] {
      char c;
      (void) !read(fds[0], &c, 1);
    });
    p.start();
    pid = p.pid();
  }
  CHECK(process_exists(pid)); // not killed by the handle's destruction
  char c = 1;
  (void) !write(fds[1], &c, 1);
  // Bounded wait for the background reaper; nothing else can signal it.
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (process_exists(pid) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(1ms);
  CHECK_FALSE(process_exists(pid));
  close(fds[0]);
  close(fds[1]);
}

TEST_CASE("Process handles move") {
  Process a([] { throw mpactor::SystemExit{5}; });
  a.start();
  Process b = std::move(a);
  CHECK(a.pid() == 0);
  b.join();
  CHECK(b.exitcode() == 5);
}

TEST_CASE("cpu_count is at least one") {
  CHECK(mpactor::cpu_count() >= 1);
}

TEST_CASE("A Process takes move-only arguments and the child gets them") {
  mpactor::Value<int> seen{0};
  Process sut([seen](std::unique_ptr<int> p) mutable { seen = *p; }, std::make_unique<int>(42));
  sut.start();
  REQUIRE(sut.join(10s));
  CHECK(sut.exitcode() == 0);
  CHECK(seen.value() == 42);
}

namespace {

// Whether `pid` names no process at all (ended and reaped).
bool gone(pid_t pid) {
  return ::kill(pid, 0) != 0 && errno == ESRCH;
}

// Whether `fd` polls readable within `ms` milliseconds.
bool readable(int fd, int ms) {
  pollfd pfd{fd, POLLIN, 0};
  return poll(&pfd, 1, ms) == 1 && (pfd.revents & POLLIN) != 0;
}

// A pipe whose write end a child closes (or writes to) to say "now".
struct signal_pipe {
  int fds[2] = {-1, -1};
  signal_pipe() { REQUIRE(pipe(fds) == 0); }
  ~signal_pipe() {
    for (int fd : fds)
      if (fd >= 0)
        ::close(fd);
  }
  void say(char c) const { REQUIRE(write(fds[1], &c, 1) == 1); }
  // The next byte, or 0 if none came within 10 s.
  char hear() const {
    if (!readable(fds[0], 10'000))
      return 0;
    char c = 0;
    return read(fds[0], &c, 1) == 1 ? c : 0;
  }
};

} // namespace

TEST_CASE("A daemonic child is terminated when its parent returns from its target") {
  mpactor::Value<int> daemon_pid{0};
  Process parent([daemon_pid]() mutable {
    Process d([] { pause(); }); // would run forever
    d.daemon(true);
    d.start();
    daemon_pid = d.pid();
  });
  parent.start();
  REQUIRE(parent.join(10s));
  CHECK(parent.exitcode() == 0);
  REQUIRE(daemon_pid.value() > 0);
  CHECK(gone(daemon_pid.value())); // terminated and reaped before the parent ended
}

TEST_CASE("A daemonic child is terminated when its parent calls exit()") {
  mpactor::Value<int> daemon_pid{0};
  Process parent([daemon_pid]() mutable {
    Process d([] { pause(); });
    d.daemon(true);
    d.start();
    daemon_pid = d.pid();
    std::exit(3); // runs the atexit handlers
  });
  parent.start();
  REQUIRE(parent.join(10s));
  CHECK(parent.exitcode() == 3);
  REQUIRE(daemon_pid.value() > 0);
  CHECK(gone(daemon_pid.value()));
}

TEST_CASE("A non-daemonic child outlives its parent") {
  signal_pipe started, release, done;
  Process parent([&] {
    Process c([&] {
      started.say('s');
      if (release.hear() == 'r')
        done.say('d');
    });
    c.start();
  });
  parent.start();
  REQUIRE(parent.join(10s));
  REQUIRE(started.hear() == 's');
  release.say('r');
  CHECK(done.hear() == 'd'); // it was still running after its parent ended
}

TEST_CASE("A daemonic process may not start children") {
  mpactor::Value<int> refused{0};
  Process d([refused]() mutable {
    try {
      Process grandchild;
      CHECK(grandchild.daemon()); // inherited from current_process(), as in Python
      grandchild.start();
    } catch (const mpactor::ProcessError& e) {
      if (std::string{e.what()}.find("daemonic") != std::string::npos)
        refused = 1;
    }
  });
  d.daemon(true);
  CHECK(d.daemon());
  d.start();
  REQUIRE(d.join(10s));
  CHECK(refused.value() == 1);
}

TEST_CASE("Process daemon cannot change after start") {
  Process sut;
  CHECK_FALSE(sut.daemon());
  sut.start();
  CHECK_THROWS_AS(sut.daemon(true), mpactor::ProcessError);
  sut.join();
  CHECK_FALSE(sut.daemon());
}

TEST_CASE("Process close refuses a running process, then every use but name") {
  signal_pipe release;
  Process sut([&] { release.hear(); });
  sut.close(); // never started: fine, as in Python
  CHECK_THROWS_AS(sut.start(), mpactor::ValueError);

  Process running([&] { release.hear(); });
  running.start();
  CHECK_THROWS_AS(running.close(), mpactor::ValueError);
  CHECK(running.is_alive()); // the refused close did nothing
  release.say('x');
  REQUIRE(running.join(10s));
  running.close();
  running.close(); // again: nothing
  CHECK_THROWS_AS(running.join(), mpactor::ValueError);
  CHECK_THROWS_AS(running.is_alive(), mpactor::ValueError);
  CHECK_THROWS_AS(running.pid(), mpactor::ValueError);
  CHECK_THROWS_AS(running.ident(), mpactor::ValueError);
  CHECK_THROWS_AS(running.exitcode(), mpactor::ValueError);
  CHECK_THROWS_AS(running.sentinel(), mpactor::ValueError);
  CHECK_THROWS_AS(running.terminate(), mpactor::ValueError);
  CHECK_THROWS_AS(running.start(), mpactor::ValueError);
  CHECK(running.name().rfind("Process-", 0) == 0);
}

TEST_CASE("Process joined twice, terminated after its end: no error, same exit code") {
  Process sut([] { throw mpactor::SystemExit{4}; });
  sut.start();
  sut.join();
  sut.join();
  CHECK(sut.join(1ms));
  sut.terminate();
  sut.kill();
  CHECK(sut.exitcode() == 4);
}

TEST_CASE("Process sentinel becomes readable when the child ends, and works with poll") {
  Process sut;
  CHECK_THROWS_AS(sut.sentinel(), mpactor::ValueError); // not started

  signal_pipe release;
  Process slow([&] { release.hear(); });
  Process quick([] { throw mpactor::SystemExit{2}; });
  slow.start();
  quick.start();
  // Wait for whichever ends first, as with multiprocessing.connection.wait.
  pollfd both[2] = {{slow.sentinel(), POLLIN, 0}, {quick.sentinel(), POLLIN, 0}};
  REQUIRE(poll(both, 2, 10'000) >= 1);
  CHECK((both[1].revents & POLLIN) != 0);
  CHECK((both[0].revents & POLLIN) == 0);
  CHECK(quick.exitcode() == 2);
  CHECK_FALSE(readable(slow.sentinel(), 0));
  release.say('x');
  CHECK(readable(slow.sentinel(), 10'000));
  slow.join();
  CHECK(readable(slow.sentinel(), 0)); // stays readable after join
}

TEST_CASE("Process ident is its pid") {
  Process sut;
  CHECK(sut.ident() == 0);
  sut.start();
  CHECK(sut.ident() == sut.pid());
  CHECK(sut.ident() > 0);
  sut.join();
}

TEST_CASE("current_process is MainProcess here and the child's own handle in a child") {
  auto& main = mpactor::current_process();
  CHECK(main.name() == "MainProcess");
  CHECK(main.pid() == getpid());
  CHECK(main.is_alive());
  CHECK_FALSE(main.daemon());
  CHECK_THROWS_AS(main.join(), mpactor::ProcessError);
  CHECK_THROWS_AS(main.start(), mpactor::ProcessError);

  mpactor::Value<int> ok{0};
  Process sut([ok]() mutable {
    auto& me = mpactor::current_process();
    ok = me.name() == "worker" && me.pid() == getpid() && me.ident() == getpid()
         && me.is_alive() && me.daemon();
  });
  sut.name("worker");
  sut.daemon(true);
  sut.start();
  REQUIRE(sut.join(10s));
  CHECK(ok.value() == 1);
}

TEST_CASE("parent_process is none here, the parent in a child, and ends with it") {
  CHECK(mpactor::parent_process() == nullptr);

  mpactor::Value<int> seen_pid{0};
  mpactor::Value<int> alive{0};
  Process sut([seen_pid, alive]() mutable {
    auto* p = mpactor::parent_process();
    if (p == nullptr)
      return;
    seen_pid = p->pid();
    alive = p->is_alive() && p->name() == "MainProcess" && !p->join(1ms);
  });
  sut.start();
  REQUIRE(sut.join(10s));
  CHECK(seen_pid.value() == getpid());
  CHECK(alive.value() == 1);

  // A grandchild sees its parent end.
  signal_pipe told;
  Process middle([&] {
    Process grandchild([&] {
      auto* p = mpactor::parent_process();
      bool ended = p != nullptr && p->join(10s) && !p->is_alive();
      told.say(ended ? 'y' : 'n');
    });
    grandchild.start();
  });
  middle.name("middle");
  middle.start();
  REQUIRE(middle.join(10s));
  CHECK(told.hear() == 'y');
}

TEST_CASE("A parent_process cannot be signalled") {
  mpactor::Value<int> refused{0};
  Process sut([refused]() mutable {
    try {
      mpactor::parent_process()->terminate();
    } catch (const mpactor::ProcessError&) {
      refused = 1;
    }
  });
  sut.start();
  REQUIRE(sut.join(10s));
  CHECK(refused.value() == 1);
}

TEST_CASE("active_children lists the running children and reaps the ended ones") {
  signal_pipe release;
  Process quick;
  Process slow([&] { release.hear(); });
  quick.start();
  slow.start();
  REQUIRE(readable(quick.sentinel(), 10'000)); // ended, not yet joined
  auto running = mpactor::active_children();
  CHECK(running == std::vector<Process*>{&slow});
  CHECK(quick.exitcode() == 0); // reaped by active_children

  mpactor::Value<int> in_child{-1};
  Process counter([in_child]() mutable {
    in_child = static_cast<int>(mpactor::active_children().size());
  });
  counter.start();
  REQUIRE(counter.join(10s));
  CHECK(in_child.value() == 0); // a child starts with no children of its own

  Process moved = std::move(slow);
  CHECK(mpactor::active_children() == std::vector<Process*>{&moved});
  release.say('x');
  REQUIRE(moved.join(10s));
  CHECK(mpactor::active_children().empty());
}

namespace {

// A Process subclass, as Python's `class Worker(Process): def run(self)`.
class Worker : public Process {
public:
  Worker(mpactor::Value<int> out, int n) : out_(std::move(out)), n_(n) {}

  void run() override {
    if (n_ < 0)
      throw std::runtime_error("negative");
    out_ = n_ * 2;
  }

private:
  mpactor::Value<int> out_;
  int n_;
};

} // namespace

TEST_CASE("A Process subclass runs its own run()") {
  mpactor::Value<int> out{0};
  Worker sut(out, 21);
  sut.start();
  REQUIRE(sut.join(10s));
  CHECK(sut.exitcode() == 0);
  CHECK(out.value() == 42);

  Worker failing(out, -1);
  failing.start();
  REQUIRE(failing.join(10s));
  CHECK(failing.exitcode() == 1); // an escaping exception, as with a target
}

// Process: start, join, timeouts, exit codes and signals, exceptions,
// output around fork, and handles dropped while the child runs.

#include <catch2/catch.hpp>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

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

#include <mpactor/shm/process.hpp>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <mutex>
#include <thread>

#include <poll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <mpactor/shm/error.hpp>

namespace mpactor {

namespace {

std::atomic<int> process_counter{0};

std::mutex& hooks_mtx() {
  static auto* m = new std::mutex;
  return *m;
}

std::vector<std::function<Process::keepalive()>>& hooks() {
  static auto* h = new std::vector<std::function<Process::keepalive()>>;
  return *h;
}

void flush_all() {
  std::cout.flush();
  std::cerr.flush();
  std::clog.flush();
  std::fflush(nullptr);
}

// glibc 2.36 declares these without C linkage for C++: call the kernel.
int pidfd_open(pid_t pid, unsigned flags) {
  return static_cast<int>(syscall(SYS_pidfd_open, pid, flags));
}

int pidfd_send_signal(int fd, int sig) {
  return static_cast<int>(syscall(SYS_pidfd_send_signal, fd, sig, nullptr, 0));
}

int decode(int status) {
  if (WIFSIGNALED(status))
    return -WTERMSIG(status);
  return WEXITSTATUS(status);
}

} // namespace

void Process::add_fork_hook(std::function<keepalive()> hook) {
  std::lock_guard<std::mutex> guard{hooks_mtx()};
  hooks().push_back(std::move(hook));
}

Process::Process() : Process(std::function<void()>{}) {
  // nop
}

Process::Process(std::function<void()> target)
  : target_(std::move(target)),
    name_("Process-" + std::to_string(++process_counter)) {
  // nop
}

Process::Process(Process&& other) noexcept
  : target_(std::move(other.target_)),
    name_(std::move(other.name_)),
    pid_(std::exchange(other.pid_, 0)),
    pidfd_(std::exchange(other.pidfd_, -1)),
    exitcode_(std::exchange(other.exitcode_, std::nullopt)),
    keep_(std::move(other.keep_)) {
  // nop
}

Process& Process::operator=(Process&& other) noexcept {
  if (this != &other) {
    this->~Process();
    new (this) Process(std::move(other));
  }
  return *this;
}

Process::~Process() {
  if (pid_ > 0 && !exitcode_) {
    reap(false);
    if (!exitcode_) {
      // Still running: wait for it in the background so it leaves no zombie.
      std::thread([pid = pid_, fd = pidfd_, keep = std::move(keep_)] {
        int status = 0;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
          // retry
        }
        if (fd >= 0)
          ::close(fd);
      }).detach();
      return;
    }
  }
  if (pidfd_ >= 0)
    ::close(pidfd_);
}

void Process::start() {
  if (pid_ != 0)
    throw ProcessError(name_ + ": cannot start a process twice");
  {
    std::lock_guard<std::mutex> guard{hooks_mtx()};
    for (auto& hook : hooks())
      if (auto keep = hook())
        keep_.push_back(std::move(keep));
  }
  flush_all();
  // No signal may run a handler inside fork(); the child then takes SIGTERM
  // at its default action, so terminate() ends it whatever the parent set.
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  pid_t pid = fork();
  if (pid == 0) {
    std::signal(SIGTERM, SIG_DFL);
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
    int code = 0;
    try {
      if (target_)
        target_();
    } catch (const SystemExit& e) {
      code = e.code;
    } catch (const std::exception& e) {
      flush_all();
      std::cerr << "Process " << name_ << ": " << e.what() << std::endl;
      code = 1;
    } catch (...) {
      flush_all();
      std::cerr << "Process " << name_ << ": unknown exception" << std::endl;
      code = 1;
    }
    flush_all();
    _exit(code);
  }
  int fork_errno = errno;
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  if (pid < 0)
    throw ProcessError(name_ + ": fork failed: " + std::strerror(fork_errno));
  pid_ = pid;
  pidfd_ = pidfd_open(pid, 0);
}

void Process::reap(bool block) {
  if (pid_ <= 0 || exitcode_)
    return;
  int status = 0;
  pid_t rc;
  do {
    rc = waitpid(pid_, &status, block ? 0 : WNOHANG);
  } while (rc < 0 && errno == EINTR);
  if (rc == pid_) {
    exitcode_ = decode(status);
    keep_.clear();
    if (pidfd_ >= 0) {
      ::close(pidfd_);
      pidfd_ = -1;
    }
  } else if (rc < 0) {
    throw ProcessError(name_ + ": waitpid failed: " + std::strerror(errno));
  }
}

void Process::join() {
  if (pid_ == 0)
    throw ProcessError(name_ + ": can only join a started process");
  reap(true);
}

bool Process::join(Timeout timeout) {
  if (!timeout) {
    join();
    return true;
  }
  if (pid_ == 0)
    throw ProcessError(name_ + ": can only join a started process");
  reap(false);
  if (exitcode_)
    return true;
  auto deadline = *deadline_after(timeout);
  for (;;) {
    auto left = deadline - std::chrono::steady_clock::now();
    if (left < std::chrono::steady_clock::duration::zero())
      left = std::chrono::steady_clock::duration::zero();
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(left).count();
    timespec ts{static_cast<time_t>(ns / 1000000000), static_cast<long>(ns % 1000000000)};
    pollfd pfd{pidfd_, POLLIN, 0};
    int rc = ppoll(&pfd, 1, &ts, nullptr);
    if (rc < 0 && errno == EINTR)
      continue;
    reap(false);
    if (exitcode_ || rc == 0)
      return exitcode_.has_value();
    if (rc < 0)
      throw ProcessError(name_ + ": poll failed: " + std::strerror(errno));
  }
}

bool Process::is_alive() {
  if (pid_ == 0)
    return false;
  reap(false);
  return !exitcode_;
}

std::optional<int> Process::exitcode() {
  reap(false);
  return exitcode_;
}

void Process::signal(int sig, const char* what) {
  if (pid_ == 0)
    throw ProcessError(name_ + ": cannot " + what + " a process that was not started");
  reap(false);
  if (exitcode_)
    return; // ended already: the pid may belong to somebody else now
  if (pidfd_ >= 0 ? pidfd_send_signal(pidfd_, sig) != 0
                  : ::kill(pid_, sig) != 0)
    if (errno != ESRCH)
      throw ProcessError(name_ + ": " + what + " failed: " + std::strerror(errno));
}

void Process::terminate() {
  signal(SIGTERM, "terminate");
}

void Process::kill() {
  signal(SIGKILL, "kill");
}

unsigned cpu_count() {
  auto n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : n;
}

} // namespace mpactor

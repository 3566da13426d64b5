#include <mpactor/shm/process.hpp>

#include <algorithm>
#include <atomic>
#include <cstdlib>
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

// A started child, shared by its handle, the registry of this process's
// children and the background reaper. Every waitpid() on it is a WNOHANG
// one under `m` (blocking waits poll the pidfd first), so two of them never
// race for the same exit status.
struct Process::child {
  pid_t pid = 0;
  int pidfd = -1;          // closed when the last owner lets go
  bool daemon = false;
  std::mutex m;
  std::optional<int> exitcode;   // guarded by m
  std::vector<keepalive> keep;   // guarded by m; released once ended
  Process* handle = nullptr;     // guarded by the registry's mutex

  ~child() {
    if (pidfd >= 0)
      ::close(pidfd);
  }

  // Collects the exit status if the child has ended; whether it has.
  bool try_reap() {
    std::lock_guard<std::mutex> guard{m};
    if (exitcode)
      return true;
    int status = 0;
    pid_t rc;
    do {
      rc = waitpid(pid, &status, WNOHANG);
    } while (rc < 0 && errno == EINTR);
    if (rc == pid) {
      exitcode = decode(status);
      keep.clear();
      return true;
    }
    if (rc < 0)
      throw ProcessError("waitpid failed: " + std::string{std::strerror(errno)});
    return false;
  }

  // Waits until the child has ended, without reaping it, then reaps it.
  void wait_reap() {
    while (!try_reap()) {
      if (pidfd >= 0) {
        pollfd pfd{pidfd, POLLIN, 0};
        if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
          throw ProcessError("poll failed: " + std::string{std::strerror(errno)});
      } else {
        siginfo_t info{};
        if (waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOWAIT) < 0
            && errno != EINTR && errno != ECHILD)
          throw ProcessError("waitid failed: " + std::string{std::strerror(errno)});
      }
    }
  }

  std::optional<int> code() {
    std::lock_guard<std::mutex> guard{m};
    return exitcode;
  }
};

namespace {

// The children this process started and has not seen end, for
// active_children() and for ending daemonic children at exit. A forked
// child starts with an empty one (a parent thread may hold the old mutex).
struct registry {
  std::mutex m;
  std::vector<std::shared_ptr<Process::child>> children;
};

// Leaked on purpose, and made on first use (a Process may start during
// static initialisation).
registry*& children_of_this_process() {
  static registry* r = new registry;
  return r;
}

registry& children() {
  return *children_of_this_process();
}

void forget(const std::shared_ptr<Process::child>& c) {
  std::lock_guard<std::mutex> guard{children().m};
  auto& v = children().children;
  v.erase(std::remove(v.begin(), v.end(), c), v.end());
}

// Python's _exit_function: daemonic children are terminated, then joined.
void end_daemonic_children() {
  std::vector<std::shared_ptr<Process::child>> daemons;
  {
    std::lock_guard<std::mutex> guard{children().m};
    for (auto& c : children().children)
      if (c->daemon)
        daemons.push_back(c);
  }
  for (auto& c : daemons) {
    if (c->code())
      continue;
    if (c->pidfd >= 0)
      pidfd_send_signal(c->pidfd, SIGTERM); // harmless once it has ended
    else
      ::kill(c->pid, SIGTERM);
  }
  for (auto& c : daemons) {
    try {
      c->wait_reap();
    } catch (const std::exception&) {
      // exiting anyway
    }
    forget(c);
  }
}

void register_atexit_once() {
  static bool done = [] {
    std::atexit([] { end_daemonic_children(); });
    return true;
  }();
  (void)done;
}

Process* current = nullptr; // this process's handle in a forked child
Process* parent = nullptr;  // its parent, in a forked child

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
    name_("Process-" + std::to_string(++process_counter)),
    daemon_(current_process().daemon()) {
  // nop
}

Process::Process(role r, std::string name, pid_t pid, int pidfd)
  : name_(std::move(name)), role_(r), child_(std::make_shared<child>()) {
  child_->pid = pid;
  child_->pidfd = pidfd;
}

Process::Process(Process&& other) noexcept
  : target_(std::move(other.target_)),
    name_(std::move(other.name_)),
    daemon_(other.daemon_),
    closed_(other.closed_),
    role_(other.role_),
    child_(std::move(other.child_)) {
  if (child_ && role_ == role::child) {
    std::lock_guard<std::mutex> guard{children().m};
    child_->handle = this;
  }
}

Process& Process::operator=(Process&& other) noexcept {
  if (this != &other) {
    let_go();
    target_ = std::move(other.target_);
    name_ = std::move(other.name_);
    daemon_ = other.daemon_;
    closed_ = other.closed_;
    role_ = other.role_;
    child_ = std::move(other.child_);
    if (child_ && role_ == role::child) {
      std::lock_guard<std::mutex> guard{children().m};
      child_->handle = this;
    }
  }
  return *this;
}

Process::~Process() {
  let_go();
}

// Drops the child: a running one is reaped in the background when it ends
// (and stays in the registry till then, so a daemon is still ended at exit).
void Process::let_go() noexcept {
  if (!child_ || role_ != role::child) {
    child_.reset();
    return;
  }
  {
    std::lock_guard<std::mutex> guard{children().m};
    if (child_->handle == this)
      child_->handle = nullptr;
  }
  bool ended = true;
  try {
    ended = child_->try_reap();
  } catch (const std::exception&) {
    // cannot be waited for (reaped elsewhere): nothing to wait for either
  }
  if (!ended) {
    try {
      std::thread([c = child_] {
        try {
          c->wait_reap();
        } catch (const std::exception&) {
          // nothing to tell anyone
        }
        forget(c);
      }).detach();
    } catch (const std::exception&) {
      // no thread: the child stays a zombie until this process ends
    }
  } else {
    forget(child_);
  }
  child_.reset();
}

void Process::check_closed() const {
  if (closed_)
    throw ValueError("process object is closed");
}

void Process::daemon(bool value) {
  if (child_)
    throw ProcessError(name_ + ": process has already started");
  daemon_ = value;
}

void Process::run() {
  if (target_)
    target_();
}

void Process::start() {
  check_closed();
  if (child_)
    throw ProcessError(name_ + ": cannot start a process twice");
  if (current_process().daemon())
    throw ProcessError(name_ + ": daemonic processes are not allowed to have children");
  if (daemon_)
    register_atexit_once();
  auto c = std::make_shared<child>();
  c->daemon = daemon_;
  {
    std::lock_guard<std::mutex> guard{hooks_mtx()};
    for (auto& hook : hooks())
      if (auto keep = hook())
        c->keep.push_back(std::move(keep));
  }
  // The child's view of its parent: a pidfd opened here cannot name another
  // process, whatever happens to the parent later.
  std::string parent_name = current_process().name();
  pid_t parent_pid = getpid();
  int parent_fd = pidfd_open(parent_pid, 0);
  flush_all();
  // No signal may run a handler inside fork(); the child then takes SIGTERM
  // at its default action, so terminate() ends it whatever the parent set.
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  pid_t pid = fork();
  if (pid == 0) {
    std::signal(SIGTERM, SIG_DFL);
    // This handle is the child's current_process(); its own children start
    // from none, as in Python.
    children_of_this_process() = new registry;
    role_ = role::current;
    child_ = std::make_shared<child>();
    child_->pid = getpid();
    child_->daemon = daemon_;
    current = this;
    parent = new Process(role::parent, std::move(parent_name), parent_pid, parent_fd);
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
    int code = 0;
    try {
      run();
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
    end_daemonic_children();
    flush_all();
    _exit(code);
  }
  int fork_errno = errno;
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  if (parent_fd >= 0)
    ::close(parent_fd);
  if (pid < 0)
    throw ProcessError(name_ + ": fork failed: " + std::strerror(fork_errno));
  c->pid = pid;
  c->pidfd = pidfd_open(pid, 0);
  c->handle = this;
  child_ = c;
  std::lock_guard<std::mutex> guard{children().m};
  children().children.push_back(std::move(c));
}

void Process::reap(bool block) {
  if (!child_ || role_ != role::child)
    return;
  if (block)
    child_->wait_reap();
  else
    child_->try_reap();
  if (child_->code())
    forget(child_);
}

void Process::join() {
  check_closed();
  if (role_ == role::current)
    throw ProcessError(name_ + ": cannot join the current process");
  if (!child_)
    throw ProcessError(name_ + ": can only join a started process");
  if (role_ == role::parent) {
    join(none);
    return;
  }
  reap(true);
}

bool Process::join(Timeout timeout) {
  check_closed();
  if (role_ == role::current)
    throw ProcessError(name_ + ": cannot join the current process");
  if (!child_)
    throw ProcessError(name_ + ": can only join a started process");
  if (!timeout && role_ == role::child) {
    join();
    return true;
  }
  auto ended = [&] {
    if (role_ == role::child) {
      reap(false);
      return child_->code().has_value();
    }
    pollfd pfd{child_->pidfd, POLLIN, 0};
    return child_->pidfd < 0 || poll(&pfd, 1, 0) > 0;
  };
  if (ended())
    return true;
  auto deadline = deadline_after(timeout);
  for (;;) {
    timespec ts{};
    timespec* limit = nullptr;
    if (deadline) {
      auto left = *deadline - std::chrono::steady_clock::now();
      if (left < std::chrono::steady_clock::duration::zero())
        left = std::chrono::steady_clock::duration::zero();
      auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(left).count();
      ts = {static_cast<time_t>(ns / 1000000000), static_cast<long>(ns % 1000000000)};
      limit = &ts;
    }
    pollfd pfd{child_->pidfd, POLLIN, 0};
    int rc = ppoll(&pfd, 1, limit, nullptr);
    if (rc < 0 && errno == EINTR)
      continue;
    if (ended())
      return true;
    if (rc == 0)
      return false;
    if (rc < 0)
      throw ProcessError(name_ + ": poll failed: " + std::strerror(errno));
  }
}

bool Process::is_alive() {
  check_closed();
  if (role_ == role::current)
    return true;
  if (!child_)
    return false;
  if (role_ == role::parent) {
    pollfd pfd{child_->pidfd, POLLIN, 0};
    return child_->pidfd >= 0 && poll(&pfd, 1, 0) == 0;
  }
  reap(false);
  return !child_->code();
}

pid_t Process::pid() const {
  check_closed();
  return child_ ? child_->pid : 0;
}

std::optional<int> Process::exitcode() {
  check_closed();
  if (!child_ || role_ != role::child)
    return std::nullopt;
  reap(false);
  return child_->code();
}

int Process::sentinel() const {
  check_closed();
  if (!child_ || child_->pidfd < 0)
    throw ValueError(name_ + ": process not started");
  return child_->pidfd;
}

void Process::close() {
  if (closed_)
    return;
  if (child_ && role_ == role::child) {
    reap(false);
    if (!child_->code())
      throw ValueError(name_ + ": cannot close a process while it is still running; "
                               "join() or terminate() it first");
  }
  if (role_ == role::child)
    child_.reset();
  closed_ = true;
}

void Process::signal(int sig, const char* what) {
  check_closed();
  if (role_ != role::child)
    throw ProcessError(name_ + ": can only " + what + " a child process");
  if (!child_)
    throw ProcessError(name_ + ": cannot " + what + " a process that was not started");
  reap(false);
  if (child_->code())
    return; // ended already: the pid may belong to somebody else now
  if (child_->pidfd >= 0 ? pidfd_send_signal(child_->pidfd, sig) != 0
                         : ::kill(child_->pid, sig) != 0)
    if (errno != ESRCH)
      throw ProcessError(name_ + ": " + what + " failed: " + std::strerror(errno));
}

void Process::terminate() {
  signal(SIGTERM, "terminate");
}

void Process::kill() {
  signal(SIGKILL, "kill");
}

Process& current_process() {
  if (current != nullptr)
    return *current;
  static auto* main = new Process(Process::role::current, "MainProcess", getpid(), -1);
  return *main;
}

Process* parent_process() {
  return parent;
}

std::vector<Process*> active_children() {
  std::vector<std::shared_ptr<Process::child>> all;
  {
    std::lock_guard<std::mutex> guard{children().m};
    all = children().children;
  }
  std::vector<Process*> running;
  for (auto& c : all) {
    bool ended = true;
    try {
      ended = c->try_reap();
    } catch (const std::exception&) {
      // cannot be waited for: not ours to list
    }
    if (ended) {
      forget(c);
      continue;
    }
    std::lock_guard<std::mutex> guard{children().m};
    if (c->handle != nullptr)
      running.push_back(c->handle);
  }
  return running;
}

unsigned cpu_count() {
  auto n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : n;
}

} // namespace mpactor

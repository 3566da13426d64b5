#pragma once

// Process: runs a function in a child process (multiprocessing.Process).
//
// start() forks. The child gets copies of ordinary variables (a global
// counter changed in the child is not changed in the parent) and shares every
// mpactor object that existed before the fork. Output buffered before start()
// is flushed first, so it is printed once; the child flushes its own output and
// leaves with _exit(), skipping the parent's static destructors.
//
// An exception escaping the target prints `Process <name>: <what>` to stderr
// and the child exits with 1; `throw SystemExit{n}` exits with n. exitcode()
// is negative -N when the child was killed by signal N, as in Python. The
// child starts with SIGTERM at its default action, so terminate() ends it.
//
// Arguments may be move-only (a std::unique_ptr); a target that cannot be
// called with the given arguments fails to compile with one message.
//
// A Process is a move-only handle to one child. Destroying it while the child
// runs neither kills the child nor leaves a zombie: the child is reaped in
// the background when it ends. Methods are for the thread that owns the
// handle; they are not synchronized with each other.
//
// As in Python: a daemonic child (daemon(true) before start()) is terminated
// (SIGTERM, then joined) when its parent exits, by exit() or by returning
// from its own target; a daemonic process may not start children. A subclass
// may override run() instead of passing a target. close() releases the
// handle's resources; afterwards most methods raise ValueError.
// sentinel() is a file descriptor that becomes readable when the child ends
// (for poll()). current_process(), parent_process() and active_children()
// give this process, its parent and its running children.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <sys/types.h>

#include <mpactor/shm/timeout.hpp>

namespace mpactor {

/// Thrown inside a child's target to leave with an exit code.
struct SystemExit {
  int code = 0;
};

class Process {
public:
  /// What a handle stands for: a child it started, this process
  /// (current_process()) or this process's parent (parent_process()).
  enum class role { child, current, parent };

  /// A process with no target: start() runs a child that exits with 0.
  Process();

  /// A process that will call `target(args...)` in the child. The arguments
  /// are copied (or moved: a std::unique_ptr is fine) into the handle now,
  /// as Python pickles them; the child passes its copies on as rvalues
  /// where the target takes them so, else as lvalues. A target that cannot
  /// be called with these arguments is a compile error that says so.
  template <class F, class... Args,
            class = std::enable_if_t<!std::is_same_v<std::decay_t<F>, Process>
                                     && !std::is_same_v<std::decay_t<F>, role>>>
  explicit Process(F&& target, Args&&... args)
    : Process(std::function<void()>(
        [call = std::make_shared<std::tuple<std::decay_t<F>, std::decay_t<Args>...>>(
           std::forward<F>(target), std::forward<Args>(args)...)] {
          std::apply(
            [](auto& fn, auto&... xs) {
              if constexpr (std::is_invocable_v<decltype(fn), decltype(std::move(xs))...>)
                std::invoke(fn, std::move(xs)...);
              else if constexpr (std::is_invocable_v<decltype(fn), decltype(xs)...>)
                std::invoke(fn, xs...);
            },
            *call);
        })) {
    static_assert(std::is_invocable_v<std::decay_t<F>&, std::decay_t<Args>&&...>
                    || std::is_invocable_v<std::decay_t<F>&, std::decay_t<Args>&...>,
                  "Process(target, args...): target cannot be called with these arguments "
                  "(check their number and types)");
  }

  explicit Process(std::function<void()> target);

  Process(Process&& other) noexcept;
  Process& operator=(Process&& other) noexcept;
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  /// Hands a still running child to the background reaper.
  virtual ~Process();

  /// Forks and runs run() in the child. ProcessError if already started,
  /// if this process is daemonic, or if fork fails; ValueError if closed.
  void start();

  /// What the child runs: the target with its arguments. A subclass may
  /// override it (Python's run()); it runs in the child, after fork.
  virtual void run();

  /// Waits for the child to end. ProcessError if not started (or if this is
  /// the current process); joining again returns at once.
  void join();

  /// Waits up to `timeout` for the child to end; returns whether it ended.
  bool join(Timeout timeout);

  template <class Rep, class Period>
  bool join(std::chrono::duration<Rep, Period> timeout) {
    return join(Timeout{std::chrono::duration_cast<std::chrono::nanoseconds>(timeout)});
  }

  /// Whether the child was started and has not ended (true for
  /// current_process()).
  bool is_alive();

  /// The child's process id; 0 before start(). ValueError once closed.
  pid_t pid() const;

  /// Python's `ident`: the same as pid().
  pid_t ident() const { return pid(); }

  /// The exit code: none while running or before start; N for exit(N);
  /// -S when ended by signal S.
  std::optional<int> exitcode();

  /// Sends SIGTERM / SIGKILL to a running child (nothing once it ended).
  void terminate();
  void kill();

  /// Whether the child is daemonic: terminated when this process exits, and
  /// not allowed children of its own. Set before start() (ProcessError
  /// after); a new Process inherits it from current_process(), as in Python.
  bool daemon() const noexcept { return daemon_; }
  void daemon(bool value);

  /// A file descriptor that becomes readable (POLLIN) when the child ends,
  /// for poll() over several processes. Owned by the handle: valid until
  /// close() or destruction. ValueError before start() or once closed.
  int sentinel() const;

  /// Releases the handle's resources (the sentinel). ValueError while the
  /// child runs; afterwards every method but name(), daemon() and close()
  /// raises ValueError. Closing again does nothing.
  void close();

  /// Something to keep alive for a child while it runs (see add_fork_hook).
  using keepalive = std::shared_ptr<void>;

  /// Registers `hook`, called by every start() just before fork; what it
  /// returns is kept by the Process until the child has ended. The
  /// server-process model uses it to keep the objects a child inherited
  /// proxies to alive until the child has registered them itself (as
  /// Python's Process keeps its args).
  static void add_fork_hook(std::function<keepalive()> hook);

  /// The name, "Process-N" unless set ("MainProcess" for the main process).
  const std::string& name() const noexcept { return name_; }
  void name(std::string value) { name_ = std::move(value); }

  struct child; // a started child's state, shared with the reaper

private:
  friend Process& current_process();
  friend Process* parent_process();
  friend std::vector<Process*> active_children();

  Process(role r, std::string name, pid_t pid, int pidfd);
  void reap(bool block);
  void signal(int sig, const char* what);
  void check_closed() const;
  void let_go() noexcept;

  std::function<void()> target_;
  std::string name_;
  bool daemon_ = false;
  bool closed_ = false;
  role role_ = role::child;
  std::shared_ptr<child> child_; // null before start()
};

/// This process: in a child, the handle that started it (as copied into the
/// child); in a process no Process started, one named "MainProcess".
Process& current_process();

/// The parent of this process (name, pid, is_alive, join, sentinel), or
/// nullptr in the main process. Not signalled through it: terminate() and
/// kill() raise ProcessError.
Process* parent_process();

/// The children of this process that are still running (their handles;
/// children whose handle was destroyed are not listed). Reaps those that
/// ended, as Python's does.
std::vector<Process*> active_children();

/// The number of CPUs of this machine.
unsigned cpu_count();

} // namespace mpactor

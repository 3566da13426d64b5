#pragma once

// io_unit: an event-loop thread as a CAF execution unit.
//
// An object actor that receives a call from an I/O thread runs right there,
// when the thread drains its unit after handing over what it read, instead
// of waking a scheduler thread: no thread hop between the socket and the
// object, which is what makes a synchronous call about as fast as a round
// trip. Actors made runnable by other threads, and actors with more mail
// than the drain's budget of turns, go to the scheduler as usual.

#include <atomic>
#include <cstdint>
#include <deque>
#include <thread>

#include <pthread.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <caf/actor_system.hpp>
#include <caf/execution_unit.hpp>
#include <caf/resumable.hpp>
#include <caf/scheduler/abstract_coordinator.hpp>

namespace mpactor {

class io_unit final : public caf::execution_unit {
public:
  explicit io_unit(caf::actor_system& sys)
    : caf::execution_unit(&sys), owner_(std::this_thread::get_id()),
      tid_(static_cast<pid_t>(::syscall(SYS_gettid))) {
    if (pthread_getcpuclockid(pthread_self(), &cpu_clock_) != 0)
      cpu_clock_ = -1;
  }

  /// CPU time this thread has used, in nanoseconds (any thread may ask
  /// while this one runs; 0 if unknown).
  std::int64_t cpu_ns() const noexcept {
    timespec ts{};
    if (cpu_clock_ == -1 || clock_gettime(cpu_clock_, &ts) != 0)
      return 0;
    return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
  }

  /// cpu_ns() at the server's last tick (the ticker's).
  std::int64_t cpu_ticked = -1;

  /// This thread's id (its /proc/self/task entry).
  pid_t tid() const noexcept { return tid_; }

  /// Its time on a CPU and waiting for one at the server's last tick
  /// (idle_poller::sched_ns; the ticker's).
  std::int64_t run_ticked = -1, wait_ticked = -1;

  void exec_later(caf::resumable* job) override {
    if (std::this_thread::get_id() == owner_)
      runnable_.push_back(job);
    else
      system_->scheduler().enqueue(job); // our reference goes with it
  }

  /// Runs what became runnable on this thread. An actor with more mail
  /// than one turn takes gets more turns here, up to max_turns for the
  /// whole drain: a batch of pipelined calls to one object then runs where
  /// it was read, instead of hopping to a scheduler thread (and its replies
  /// leave with the batch's other replies); past the budget the scheduler
  /// takes it, so that this loop's other connections are served.
  void drain() {
    std::size_t turns = 0;
    while (!runnable_.empty()) {
      auto job = runnable_.front();
      runnable_.pop_front();
      switch (job->resume(this, max_throughput)) {
        case caf::resumable::resume_later:
          if (++turns < max_turns)
            runnable_.push_back(job);
          else
            system_->scheduler().enqueue(job);
          break;
        case caf::resumable::done:
        case caf::resumable::awaiting_message:
        case caf::resumable::shutdown_execution_unit:
          caf::intrusive_ptr_release(job); // the reference enqueue() took
          break;
      }
    }
  }

  /// The event loop this thread runs.
  std::size_t loop = 0;

  /// When this thread started handling an event (0: it waits for one).
  std::atomic<std::int64_t> busy_since{0};

  /// The unit of the calling I/O thread (none on other threads).
  static io_unit*& current() noexcept {
    thread_local io_unit* unit = nullptr;
    return unit;
  }

private:
  static constexpr std::size_t max_throughput = 64; // messages per turn
  static constexpr std::size_t max_turns = 16;      // turns past the first, per drain
  std::thread::id owner_;
  pid_t tid_;
  clockid_t cpu_clock_ = -1;
  std::deque<caf::resumable*> runnable_;
};

} // namespace mpactor

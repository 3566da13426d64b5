#pragma once

// idle_poller: how an I/O thread runs its event loop. After an event it
// polls the loop for a short window before it sleeps, while the machine has
// CPU to spare.
//
// Why: a synchronous client sends its next call soon after its reply. If the
// server's thread is asleep by then, waking it costs tens of microseconds on
// both sides (more in a virtual machine, whose idle vCPU the host must wake);
// a thread that is still polling takes the call at once. One client's calls
// run about twice as fast that way, C++ or Python.
//
// But a polling thread holds a core that someone else may need: with many
// busy clients on a small machine, polling halved throughput. So it polls
// only while CPUs are not contended, by two measures: the kernel's CPU
// pressure (/proc/pressure/cpu: the share of time some runnable task waited
// for a CPU), read by the server's ticker four times a second; and, between
// polls, sched_yield(): if another task ran (the yield took long), the
// thread sleeps at once. Without pressure information it never polls.
//
// While the pressure keeps polling off and more connections call than there
// are cores (the server's own clients contend for the CPUs), the threads
// run as SCHED_BATCH (unless turned off): a thread woken by a request then
// does not preempt the client that sent it, a client that is about to wait
// for its reply anyway. Preempting it cost a context switch on each side
// per call and served one call per wake-up; as SCHED_BATCH the thread runs
// when the client waits, or at the next tick, and finds several calls. With
// 32 Python clients on two cores that was 14-20% more calls per second.
// When the pressure comes from other work and few clients call, wake-up
// preemption stays: one client's calls under three busy loops ran 17%
// slower without it.
//
// Nor do the threads batch while they are starved: once they wait for a
// CPU longer than 80% of the time they run (each thread's run-queue wait,
// /proc/self/task/TID/schedstat), until it falls below 60%. That is a
// server in one scheduling group with its busy clients (Linux's autogroup:
// a manager started by the program whose processes call it, or from the
// same shell): the kernel shares the CPUs among all of them as equals, and
// a thread that gives up wake-up preemption waits behind the clients that
// wait for it. With 32 Python clients on two cores, batching cost 5% of
// the calls per second there (16 rounds), and gained 30-39% with the
// server in a session of its own; the waits told the two apart (1.1-1.5
// times the run time batching in one group, 0.8-2.4 not batching; 0.3-0.5
// in a group of its own).

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <utility>

#include <sys/types.h>

#include <boost/asio/io_context.hpp>

namespace mpactor {

class idle_poller {
public:
  /// `window`: how long to poll after the last event (0: never poll).
  /// `pressure_file`: where the kernel reports CPU pressure.
  /// `batch_when_busy`: run as SCHED_BATCH while the pressure is high.
  explicit idle_poller(std::chrono::microseconds window,
                       std::string pressure_file = "/proc/pressure/cpu",
                       bool batch_when_busy = true);

  /// Runs `ioc` until it stops.
  void run(boost::asio::io_context& ioc) const;

  /// Reads the CPU pressure since the last tick and opens or closes the
  /// gate (the server's ticker calls this about every 250 ms); `callers`:
  /// the connections that sent something lately (within a second);
  /// `io_wait`: how long the I/O threads waited for a CPU since the last
  /// tick, per mille of the time they ran (wait_per_mille; -1: unknown).
  void tick(std::size_t callers = 0, int io_wait = -1);

  /// Whether I/O threads poll now.
  bool polling() const noexcept {
    return window_.count() > 0 && open_.load(std::memory_order_relaxed);
  }

  /// Whether I/O threads run as SCHED_BATCH now (each switches at its
  /// next event; the server posts one to each when this changes).
  bool batching() const noexcept {
    return batch_ && busy_.load(std::memory_order_relaxed)
           && !starved_.load(std::memory_order_relaxed);
  }

  /// Whether the I/O threads are starved: their wait passed starved_above
  /// per mille of their run time and has not fallen below fed_below since
  /// (an unknown wait, too little run time to judge, ends it).
  bool starved() const noexcept { return starved_.load(std::memory_order_relaxed); }

  /// The io_wait of the last tick (-1: unknown).
  int io_wait() const noexcept { return io_wait_.load(std::memory_order_relaxed); }

  /// Whether the server's own clients contend for the CPUs: the pressure
  /// is high and more connections call than there are cores (what
  /// batching() goes by, whether or not batching is turned on).
  bool clients_contend() const noexcept { return busy_.load(std::memory_order_relaxed); }

  /// Whether the CPUs are contended, whoever contends them: the pressure
  /// passed close_above and has not fallen below open_below since.
  bool contended() const noexcept { return contended_.load(std::memory_order_relaxed); }

  /// Batching needs more callers than this (the machine's cores).
  std::size_t batch_callers() const noexcept { return cores_; }

  /// The pressure of the last tick: per mille of the time some task waited
  /// for a CPU (-1: unknown).
  int pressure() const noexcept { return pressure_.load(std::memory_order_relaxed); }

  /// Polling stops above this pressure and resumes below the lower one.
  static constexpr int close_above = 300; // per mille
  static constexpr int open_below = 150;

  /// Threads that waited for a CPU longer than this, per mille of the time
  /// they ran, stop batching; they batch again below the lower one.
  static constexpr int starved_above = 800;
  static constexpr int fed_below = 600;

  /// Their wait counts only when they ran at least this long, per mille
  /// of the time between two ticks (less is too little to judge by).
  static constexpr int wait_needs_run = 50;

  /// How long threads waited for a CPU per mille of the time they ran,
  /// from the growth of their run and wait times over `wall_ns`; -1 when
  /// they ran less than wait_needs_run of it.
  static int wait_per_mille(std::int64_t run_ns, std::int64_t wait_ns, std::int64_t wall_ns);

  /// Thread `tid`'s time on a CPU and waiting for one (its run-queue
  /// wait), in nanoseconds, from /proc/self/task/TID/schedstat; {-1, -1}
  /// where the kernel keeps no such counts.
  static std::pair<std::int64_t, std::int64_t> sched_ns(pid_t tid);

  /// A sched_yield() longer than this means another task wanted the core.
  static constexpr std::chrono::microseconds yield_taken{10};

  /// The "total" (microseconds stalled) of the "some" line of a
  /// /proc/pressure file; -1 if there is none.
  static std::int64_t some_total(const std::string& text);

private:
  std::chrono::microseconds window_;
  std::string file_;
  bool batch_;
  std::size_t cores_;
  std::atomic<bool> open_{false}; // low pressure: poll
  std::atomic<bool> busy_{false}; // high pressure: batch
  std::atomic<bool> contended_{false};
  std::atomic<bool> starved_{false};
  std::atomic<int> io_wait_{-1};
  std::atomic<int> pressure_{-1};
  std::int64_t last_total_ = -1; // the ticker's only
  std::chrono::steady_clock::time_point last_at_;
};

} // namespace mpactor

#pragma once

// loop_packer: whether the server's connections gather on one event loop.
//
// Why: while the server's own clients contend for the CPUs (more of them
// call than there are cores and the CPU pressure is high: what makes the
// I/O threads batch, idle_poller.hpp), a second I/O thread adds no CPU
// time, only wake-ups. Each thread sleeps whenever all of its share of the
// connections wait, and a call then wakes it; one thread serving all of
// them finds a call ready more often. With 32 Python clients on two cores
// gathering halved the server's context switches per call and cut its CPU
// per call by 7%; the calls per second rose by a few percent (README).
//
// But one thread is at most one core. So connections gather only while the
// I/O threads together used less than pack_below of one core in the last
// tick, and spread again (each to the loop it was placed on when accepted)
// when the gathered loop passes spread_above, or once the CPUs have not
// been contended (by anyone) for quiet_ticks ticks in a row: between two
// bursts of calls, new connections then start on the gathered loop. The
// server's ticker asks the connections to move (stream_connection::
// move_to); each moves at its next read.
//
// Nor do they gather while the I/O threads are starved for a CPU
// (idle_poller::starved): a server in one scheduling group with its busy
// clients (a manager started by the program whose processes call it) gets
// one share of the CPUs per runnable thread, and one thread then gets half
// the CPU time of two. With 32 Python clients on two cores, spread
// connections served 1.04x (Unix socket, 7 of 8 rounds faster) and 1.07x
// (TCP, 6 of 8) the calls of gathered ones in that group; with the server
// in a group of its own gathering gained 1.26x (8 of 8).

#include <atomic>

namespace mpactor {

class loop_packer {
public:
  /// `enabled`: false never gathers (server_limits::io_pack_when_busy).
  explicit loop_packer(bool enabled) : enabled_(enabled) {}

  /// From the ticker: whether the server's own clients contend for the
  /// CPUs (idle_poller::clients_contend), whether anyone does
  /// (idle_poller::contended), the CPU time all I/O threads used since the
  /// last tick and that of loop 0's threads, per mille of one core, and
  /// whether the I/O threads are starved (idle_poller::starved). Returns
  /// whether packed() changed.
  bool tick(bool clients_contend, bool contended, int io_cpu, int loop0_cpu,
            bool starved = false) noexcept {
    bool was = packed_.load(std::memory_order_relaxed);
    bool now = was;
    if (!enabled_)
      now = false;
    else if (!was)
      now = clients_contend && !starved && io_cpu < pack_below;
    else if (loop0_cpu > spread_above || starved)
      now = false;
    else
      now = contended || ++quiet_ < quiet_ticks;
    if (contended || now != was)
      quiet_ = 0;
    packed_ = now;
    return now != was;
  }

  /// Whether connections gather on loop 0 now.
  bool packed() const noexcept { return packed_.load(std::memory_order_relaxed); }

  /// Gather below this, per mille of one core (all I/O threads together).
  static constexpr int pack_below = 800;
  /// Spread above this (the gathered loop's threads).
  static constexpr int spread_above = 900;
  /// Spread after this many ticks in a row without contention (2 s).
  static constexpr int quiet_ticks = 8;

private:
  bool enabled_;
  std::atomic<bool> packed_{false};
  int quiet_ = 0; // the ticker's: ticks without contention while gathered
};

} // namespace mpactor

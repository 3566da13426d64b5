#pragma once

// server_limits: every resource a client can make a manager's server spend,
// with a name and a default (as Redis' maxclients, client-query-buffer-limit
// and client-output-buffer-limit).
//
// Set them on a server before serve_forever() (server::set_limits), on a
// BaseManager before start() or get_server() (BaseManager::set_limits), or
// on the command line of mpactor-server (--max-clients, ...). What a client
// sees when it reaches each one is said beside it.

#include <chrono>
#include <cstddef>
#include <string>

namespace mpactor {

struct server_limits {
  /// Connections served at once. One more is told "the server has reached
  /// its client limit" and closed: the client raises ConnectionError at
  /// once. Also capped by the process's file-descriptor limit (less 32).
  /// A C++ client process holds one connection per thread that calls plus
  /// one that keeps its session (two for a single-threaded process); a
  /// Python client, one per thread and a short-lived one per create.
  std::size_t max_clients = 10000;

  /// Calls of one connection that may wait for their reply at once (a
  /// blocked Queue.get, a pipelined batch). One more is answered at once
  /// with an error (RemoteError "too many pending calls").
  std::size_t max_pending_calls = 65536;

  /// Largest frame after authentication. A larger one closes the
  /// connection (its calls fail with ConnectionError).
  std::size_t max_frame = std::size_t{64} << 20;

  /// Largest frame before authentication: the handshake's messages are
  /// about 100 bytes, so a peer that claims more is dropped unread.
  std::size_t preauth_max_frame = 1024;

  /// Time a new connection has to finish TLS and the handshake.
  std::chrono::milliseconds handshake_timeout{5000};

  /// Unsent reply bytes of one connection past which it is closed at once
  /// (a client that does not read). A single reply larger than this is
  /// still sent whole to a client that reads.
  std::size_t output_hard_limit = std::size_t{64} << 20;

  /// Unsent reply bytes that, held for output_soft_seconds, close the
  /// connection.
  std::size_t output_soft_limit = std::size_t{16} << 20;
  std::chrono::seconds output_soft_seconds{10};

  /// Threads that run the event loop (and the calls of object actors, which
  /// run on the thread that read them). 0: one per core.
  unsigned io_threads = 0;

  /// How long an I/O thread polls its loop after an event before it
  /// sleeps, while the machine's CPUs are not contended (see
  /// idle_poller.hpp): a client's next call is then taken without waking
  /// the thread. It spends an otherwise idle core while clients call, and
  /// nothing when they stop. 0: never poll.
  std::chrono::microseconds io_poll{100};

  /// While the machine's CPUs are contended (the same measure that stops
  /// the polling) and more connections call than there are cores, I/O
  /// threads run as SCHED_BATCH: a request that wakes one then does not
  /// preempt the client that sent it, which is about to wait for the reply
  /// anyway, and calls are taken in batches. With many busy clients on a
  /// small machine that saves a context switch per call on each side.
  /// Not while the threads wait for a CPU longer than they are worth
  /// batching (idle_poller::starved()): then it delays them further.
  /// false: I/O threads always run as SCHED_OTHER.
  bool io_batch_when_busy = true;

  /// While the server's clients contend for the CPUs as above (whether or not
  /// the threads batch) and the I/O threads together use less than 80% of
  /// one core, every connection moves to the first event loop: the other
  /// threads then sleep instead of being woken call by call, and the one
  /// left finds calls waiting (see loop_packer.hpp). They spread again,
  /// each to the loop it was placed on, when that loop passes 90% of a core
  /// or nobody has contended for the CPUs for 2 s. Not while the threads
  /// are starved for a CPU (idle_poller::starved(), as for batching): in
  /// one scheduling group with busy clients, two threads get two shares of
  /// the CPUs and one only one. false: connections stay where they were
  /// placed.
  bool io_pack_when_busy = true;

  /// Threads added while every I/O thread has been busy in one call for
  /// 100 ms (a registered C++ method that computes for seconds), so that
  /// other clients are still read and answered; each ends after 5 s idle.
  unsigned extra_io_threads = 8;

  /// Throws ValueError naming the first limit that cannot work.
  void validate() const;

  /// One line for logs: "max_clients=10000 max_pending_calls=...".
  std::string to_string() const;
};

} // namespace mpactor

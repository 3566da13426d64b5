#pragma once

// connection: one authenticated link from a client process to a server.
//
// Each calling thread has a connection of its own (as in Python), so the
// calls of one thread reach the server in the order it made them, including
// pipelined sends.
// call() sends a request and waits for its reply. While it waits it pings the
// server after every `ping_interval` of silence; a server that answers
// nothing for `dead_after` (frozen, cut off) fails the call with
// ConnectionError, as does a closed socket (server killed). Blocking
// operations carry their timeout to the server, which ends them (Empty,
// false, ...); the client never abandons a request with its reply still to
// come, so no reply is lost or read by the wrong call. One thread at a time.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <utility>
#include <memory>
#include <string>
#include <vector>

#include <mpactor/actors/core/address.hpp>
#include <mpactor/actors/wire/frame_socket.hpp>
#include <mpactor/actors/core/json.hpp>
#include <mpactor/actors/wire/silence_watch.hpp>

namespace mpactor {

class connection {
public:
  /// Connects (over TLS when `tls` is set) and authenticates, giving up
  /// after `timeout`.
  connection(const Address& addr, const std::string& authkey,
             const std::string& session_key, std::chrono::milliseconds timeout,
             ssl_ctx_st* tls = nullptr);

  /// Calls `method` of `object` with `args`; returns the result or throws
  /// the error it raised (see error_code.hpp), ConnectionError if the server
  /// is gone or stops answering.
  json call(std::uint64_t object, const std::string& method, json args);

  /// Sends a request that has no reply.
  void notify(std::uint64_t object, const std::string& method, json args);

  /// Sends a call without waiting for its reply (pipelining). Its reply is
  /// read by the next call on this connection, which first raises the error
  /// of a failed send (and is then not made). At most `max_in_flight` are outstanding: the
  /// next send waits for the oldest reply.
  void send(std::uint64_t object, const std::string& method, json args);

  static constexpr std::size_t max_in_flight = 256;

  /// call_many() writes its frames in pieces of about this size, not all
  /// at once, so that the server works on the first calls while the client
  /// encodes the next (one write per window left the two taking turns:
  /// pipelined gets 0.82-0.91x `redis-benchmark -P 32`, 0.99-1.06x with
  /// 512 B; 128, 256, 384, 768 and 1024 B measured lower).
  static constexpr std::size_t batch_write_bytes = 512;

  /// One call of a batch and, after call_many(), its outcome.
  struct batch_call {
    std::uint64_t object = 0;
    std::string method;
    json args;
    json result;                ///< the result, when `failed` is false
    bool failed = false;
    int error = 0;              ///< an error_code, when `failed`
    std::string message;
  };

  /// Sends all `calls` pipelined (a window of max_in_flight at a time) and
  /// waits for every reply; each call keeps its own result or error. Throws
  /// only ConnectionError.
  void call_many(std::vector<batch_call>& calls);

  /// The server run this connection reached (see handshake.hpp).
  std::uint64_t incarnation() const noexcept { return incarnation_; }

  /// Whether the link failed (it must not be reused).
  bool broken() const noexcept { return broken_; }

  /// Closes the socket without a word (after fork, in the child).
  void abandon() noexcept;

  /// Abandons every connection of the process (the atfork child handler).
  static void abandon_all_after_fork() noexcept;

  ~connection();
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;

  static constexpr std::chrono::milliseconds ping_interval = silence_watch::ping_interval;
  static constexpr std::chrono::milliseconds dead_after = silence_watch::dead_after;

  /// Microseconds a call polls for its reply before sleeping (frame_socket::spin).
  static inline int spin_us = 50;

private:
  // Handles a frame that answers an earlier send(); false if it is not one.
  bool settle(wire_frame& f);
  void raise_pending();
  void settle_all();
  std::uint64_t write_frame(frame_kind kind, std::uint64_t object, const std::string& method,
                            json args);
  json wait_for(std::uint64_t request);
  wire_frame next_frame();

  frame_socket sock_;
  std::deque<std::uint64_t> in_flight_;
  std::optional<std::pair<int, std::string>> failed_send_;
  std::uint64_t next_request_ = 1;
  bool broken_ = false;
  std::uint64_t incarnation_ = 0;
};

} // namespace mpactor

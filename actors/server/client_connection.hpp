#pragma once

// client_connection: one client's connection, as the server's event loop
// sees it (Redis' `client`, CAF's scribe): a socket, what was read of the
// next frame, and the replies not yet written. Never a thread.
//
// Reading: the event loop calls on_readable() when bytes wait; it reads what
// is there, cuts frames (small ones until the handshake is over), hands each
// to the connection_host, re-arms the wait, then runs the object actors the
// calls woke on this thread, then writes the replies at once.
//
// Writing: send() appends a frame to the output buffer, from any thread (a
// deferred reply comes from whichever thread completed it), and writes what
// the socket takes without waiting; what it does not take is written when
// the socket becomes writable. Nobody ever waits on a slow reader: a
// connection whose unsent output passes the hard limit, or stays over the
// soft limit too long, is closed and its session cleaned up as if it died.
//
// Closing (close()) shuts the socket down; the read side then ends the
// connection once (host's closed()), after the last frame it handled. The
// file descriptor is closed when the last reference goes, so its number is
// never reused under a handler still running.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>

#include <boost/asio/generic/stream_protocol.hpp>
#include <boost/asio/io_context.hpp>

#include <caf/actor.hpp>

#include <mpactor/actors/server/server_limits.hpp>
#include <mpactor/actors/wire/frame_reader.hpp>
#include <mpactor/actors/wire/handshake.hpp>
#include <mpactor/actors/wire/tls_filter.hpp>
#include <mpactor/actors/wire/wire_frame.hpp>

struct ssl_ctx_st;

namespace mpactor {

class client_connection;

/// What a connection needs from its server.
class connection_host {
public:
  virtual ~connection_host() = default;
  virtual const server_limits& limits() const noexcept = 0;
  virtual std::string_view authkey() const noexcept = 0;
  virtual std::uint64_t incarnation() const noexcept = 0;
  virtual void log(const std::string& line) = 0;
  /// The handshake passed: the session number of `session_key`.
  virtual std::uint64_t open_session(client_connection& c, const std::string& session_key) = 0;
  /// A frame of an authenticated connection.
  virtual void handle(client_connection& c, wire_frame&& f) = 0;
  /// The connection ended: its calls and session are cleaned up. Once.
  virtual void closed(client_connection& c) = 0;
  /// A connection was closed for a limit or refused (counted in stats()).
  enum class drop { output_limit, handshake_timeout, authentication };
  virtual void dropped(drop why) = 0;
};

/// The calls of a connection that await their reply. Shared with the
/// connection's reply actor, which outlives the connection: a reply that
/// finds the connection gone goes back to its object (undelivered).
struct call_ledger {
  std::mutex mtx;
  std::unordered_map<std::uint64_t, std::string> waiting; ///< request -> method of a call that may wait
  std::atomic<std::size_t> pending{0}; ///< calls handed to objects, not yet answered
};

class client_connection : public std::enable_shared_from_this<client_connection> {
public:
  using socket_type = boost::asio::generic::stream_protocol::socket;
  using clock = std::chrono::steady_clock;

  enum class phase { tls, handshake, serving };

  client_connection(connection_host& host, socket_type sock, std::uint64_t id,
                    std::string peer, ssl_ctx_st* tls);
  ~client_connection();

  client_connection(const client_connection&) = delete;
  client_connection& operator=(const client_connection&) = delete;

  /// Starts: TLS or the handshake's challenge, then reading.
  void start();

  /// Appends one frame to the output; writes what the socket takes now
  /// unless this thread is reading this connection (it writes after its
  /// batch). Closes the connection past its output limits.
  void send(const wire_frame& f);

  /// Writes what the socket takes now.
  void flush();

  /// Closes the connection (idempotent, any thread); `why` is logged.
  /// Returns whether this call closed it.
  bool close(const std::string& why);

  /// Called about four times a second by the server: handshake deadline,
  /// soft output limit, and a pong for a client whose call runs long (a
  /// busy server is not a dead one).
  void tick(clock::time_point now);

  std::uint64_t id() const noexcept { return id_; }
  std::uint64_t session() const noexcept { return session_; }
  const std::string& peer() const noexcept { return peer_; }
  phase state() const noexcept { return phase_.load(); }
  bool closing() const noexcept { return closing_.load(); }
  std::size_t unsent() const;
  std::size_t buffered_input() const noexcept { return input_bytes_.load(); }

  /// The actor that receives this connection's replies from objects.
  const caf::actor& reply_actor() const noexcept { return reply_actor_; }
  void reply_actor(caf::actor a) { reply_actor_ = std::move(a); }

  std::shared_ptr<call_ledger>& ledger() noexcept { return ledger_; }

  /// Objects this connection has waited on (cancelled when it closes).
  /// Returns whether `object` is new.
  bool note_waiting(std::uint64_t object);
  std::set<std::uint64_t> waited_objects();

private:
  void arm_read();
  void on_readable(const boost::system::error_code& ec);
  bool read_some(); // false: the connection ended
  void take(const char* data, std::size_t n);
  void on_frame(wire_frame&& f);
  void arm_write();
  void on_writable(const boost::system::error_code& ec);
  void write_locked(); // holds out_mtx_
  void append_locked(const std::string& bytes);
  void finish();

  connection_host& host_;
  socket_type sock_;
  std::mutex ops_mtx_; // starting waits on sock_: one thread at a time
  int fd_;
  std::uint64_t id_;
  std::string peer_;
  std::uint64_t session_ = 0;
  std::atomic<phase> phase_{phase::handshake};
  std::atomic<bool> closing_{false};
  std::atomic<bool> finished_{false};
  clock::time_point started_ = clock::now();

  // Read side: touched by the one thread running on_readable.
  frame_reader reader_;
  std::optional<server_handshake> handshake_;
  bool hello_seen_ = false;
  std::unique_ptr<tls_filter> tls_;
  std::atomic<std::size_t> input_bytes_{0};

  // Write side.
  mutable std::mutex out_mtx_;
  std::string out_;           // guarded by out_mtx_: bytes to write from out_off_ on
  std::size_t out_off_ = 0;   // guarded by out_mtx_
  bool write_armed_ = false;  // guarded by out_mtx_: waiting for the socket to take more
  std::optional<clock::time_point> soft_since_; // guarded by out_mtx_

public:
  /// When a call of this connection started running on an I/O thread (0:
  /// none runs).
  std::atomic<std::int64_t> busy_since{0};

private:
  std::mutex waiting_mtx_;
  std::set<std::uint64_t> waiting_on_; // guarded by waiting_mtx_

  caf::actor reply_actor_;
  std::shared_ptr<call_ledger> ledger_ = std::make_shared<call_ledger>();
};

} // namespace mpactor

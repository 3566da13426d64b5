#pragma once

// stream_connection: what every connection of a server's event loop has,
// whatever protocol it speaks (Redis' `client`): a non-blocking socket, a
// read loop, an output buffer with limits, and the bookkeeping of the calls
// it handed to objects. Never a thread. The protocol is a subclass:
// client_connection (mpactor's frames, TLS, its handshake) and
// python_connection (multiprocessing.connection's framing and handshake,
// pickles).
//
// Reading: the event loop receives into a small inbox (a full one is read on
// into a larger scratch buffer) and gives the bytes to received() (the
// subclass cuts messages and handles them), re-arms the receive, then runs the object actors the calls
// woke on this thread, then writes the replies at once.
//
// Writing: send_bytes() appends to the output buffer, from any thread (a
// deferred reply comes from whichever thread completed it), and writes what
// the socket takes without waiting; what it does not take is written when
// the socket becomes writable. Nobody ever waits on a slow reader: a
// connection whose unsent output passes the hard limit, or stays over the
// soft limit too long, is closed and its session cleaned up as if it died.
//
// Moving (move_to()): the server may ask a connection to run on another
// event loop (loop_packer.hpp). It moves at its next read, between two
// batches, when no wait for writability is armed: its socket is released
// from one loop's epoll and assigned to the other's, and the receive is
// armed there. Nothing else of a connection belongs to a loop.
//
// Closing (close()) shuts the socket down; the read side then ends the
// connection once (ended()), after the last message it handled. The file
// descriptor is closed when the last reference goes, so its number is never
// reused under a handler still running.

#include <array>
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

namespace mpactor {

/// What any connection needs from its server.
class stream_host {
public:
  virtual ~stream_host() = default;
  virtual const server_limits& limits() const noexcept = 0;
  virtual void log(const std::string& line) = 0;
  /// A connection was closed for a limit or refused (counted in stats()).
  enum class drop { output_limit, handshake_timeout, authentication };
  virtual void dropped(drop) {
    // nop
  }
};

/// Where a connection runs: the event loop now, and the one it was placed
/// on when accepted (round robin), where it returns after loops gathered.
struct loop_place {
  std::size_t loop = 0;
  std::size_t home = 0;
};

/// The calls of a connection that await their reply. Shared with the
/// connection's reply actor, which outlives the connection: a reply that
/// finds the connection gone goes back to its object (undelivered).
struct call_ledger {
  std::mutex mtx;
  std::unordered_map<std::uint64_t, std::string> waiting; ///< request -> method of a call that may wait
  std::atomic<std::size_t> pending{0}; ///< calls handed to objects, not yet answered
};

class stream_connection : public std::enable_shared_from_this<stream_connection> {
public:
  using socket_type = boost::asio::generic::stream_protocol::socket;
  using clock = std::chrono::steady_clock;

  stream_connection(stream_host& host, socket_type sock, std::uint64_t id, std::string peer);
  virtual ~stream_connection();

  stream_connection(const stream_connection&) = delete;
  stream_connection& operator=(const stream_connection&) = delete;

  /// Starts: started() (what the server says first), then reading.
  void start();

  /// Writes what the socket takes now.
  void flush();

  /// Closes the connection (idempotent, any thread); `why` is logged.
  bool close(const std::string& why);

  /// Called about four times a second by the server: handshake deadline,
  /// soft output limit, then idle_tick(). Returns whether the peer sent
  /// anything within the last four ticks (an active caller, for
  /// idle_poller: a second, so that a caller between two calls counts).
  bool tick(clock::time_point now);

  std::uint64_t id() const noexcept { return id_; }
  const std::string& peer() const noexcept { return peer_; }
  bool closing() const noexcept { return closing_.load(); }
  std::size_t unsent() const;
  std::size_t buffered_input() const noexcept { return input_bytes_.load(); }

  /// Whether the peer passed the handshake.
  virtual bool authenticated() const noexcept = 0;

  /// The actor that receives this connection's replies from objects.
  const caf::actor& reply_actor() const noexcept { return reply_actor_; }
  void reply_actor(caf::actor a) { reply_actor_ = std::move(a); }

  std::shared_ptr<call_ledger>& ledger() noexcept { return ledger_; }

  /// Objects this connection has waited on (cancelled when it closes).
  /// Returns whether `object` is new.
  bool note_waiting(std::uint64_t object);
  std::set<std::uint64_t> waited_objects();

  /// When a call of this connection started running on an I/O thread (0:
  /// none runs).
  std::atomic<std::int64_t> busy_since{0};

  /// Marks the start of a call (for busy_since).
  void note_busy();

  /// The event loop this connection runs on now, and its home.
  std::size_t loop() const noexcept { return loop_.load(std::memory_order_relaxed); }
  std::size_t home_loop() const noexcept { return home_; }

  /// Where the server placed it on accepting (before start()).
  void placed(loop_place at) {
    loop_ = at.loop;
    home_ = at.home;
  }

  /// Asks the connection to run on `ioc` (event loop `index`) from its next
  /// read on (any thread; the last request wins).
  void move_to(boost::asio::io_context& ioc, std::size_t index);

protected:
  /// What the server sends first (a challenge), before reading starts.
  virtual void started() = 0;

  /// Bytes read from the socket, in order (the read thread only). Throws
  /// protocol_error to drop the connection.
  virtual void received(const char* data, std::size_t n) = 0;

  /// Bytes the subclass keeps of an unfinished message.
  virtual std::size_t unread() const noexcept = 0;

  /// The connection ended: tell the host. Once.
  virtual void ended() = 0;

  /// Each tick of an authenticated connection that is not closing.
  virtual void idle_tick() {
    // nop
  }

  /// Turns plain output into what goes on the socket (TLS); holds out_mtx_.
  virtual void seal_locked(std::string& bytes) {
    (void) bytes;
  }

  /// Appends `bytes` to the output (sealed); writes what the socket takes
  /// now unless this thread is reading this connection (it writes after its
  /// batch). Closes the connection past its output limits.
  void send_bytes(std::string bytes);

  void append_locked(const std::string& bytes); // holds out_mtx_

  stream_host& base_host_;
  mutable std::mutex out_mtx_;
  std::string out_;         // guarded by out_mtx_: bytes to write from out_off_ on
  std::size_t out_off_ = 0; // guarded by out_mtx_

private:
  void arm_read();
  bool move_if_asked(); // false: the move failed and the connection ends
  void on_received(const boost::system::error_code& ec, std::size_t n);
  bool read_some(); // after a full inbox_; false: the connection ended
  void arm_write();
  void on_writable(const boost::system::error_code& ec);
  void write_locked(); // holds out_mtx_
  void finish();

  socket_type sock_;
  std::array<char, 512> inbox_; // what one receive takes: a call or a few
  std::mutex ops_mtx_; // starting waits on sock_: one thread at a time
  int fd_;
  std::uint64_t id_;
  std::string peer_;
  std::atomic<bool> closing_{false};
  std::atomic<bool> finished_{false};
  clock::time_point started_ = clock::now();
  std::atomic<std::size_t> input_bytes_{0};
  std::atomic<std::uint32_t> reads_{0}; // receives that brought bytes
  std::uint32_t reads_ticked_ = 0;      // the ticker's: reads_ at the last tick,
  std::uint8_t quiet_ticks_ = 255;      // and the ticks since it changed

  std::atomic<std::size_t> loop_{0};
  std::size_t home_ = 0;
  std::atomic<bool> move_wanted_{false};
  std::mutex move_mtx_;
  boost::asio::io_context* move_ioc_ = nullptr; // guarded by move_mtx_
  std::size_t move_index_ = 0;                  // guarded by move_mtx_
  bool owns_loose_fd_ = false; // a failed move left fd_ outside any socket: close it at the end

  bool write_armed_ = false;                    // guarded by out_mtx_: waiting for the socket to take more
  std::optional<clock::time_point> soft_since_; // guarded by out_mtx_

  std::mutex waiting_mtx_;
  std::set<std::uint64_t> waiting_on_; // guarded by waiting_mtx_

  caf::actor reply_actor_;
  std::shared_ptr<call_ledger> ledger_ = std::make_shared<call_ledger>();
};

} // namespace mpactor

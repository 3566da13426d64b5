#pragma once

// frame_socket: a connected TCP socket that reads and writes wire_frames.
//
// Reads are buffered and may wait until a deadline (none: without limit);
// EOF or a socket error raises ConnectionError, a malformed frame
// protocol_error. Writes are whole frames and are serialized by a mutex, so
// several threads may write replies on one socket. Reading is for one thread
// at a time. The socket is closed on destruction.

#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <sys/socket.h>
#include <sys/un.h>

#include <mpactor/actors/core/address.hpp>
#include <mpactor/actors/wire/wire_frame.hpp>

struct ssl_ctx_st;
struct ssl_st;

namespace mpactor {

class frame_socket {
public:
  using time_point = std::chrono::steady_clock::time_point;

  explicit frame_socket(int fd, std::size_t max_frame = wire_frame::default_max_size);
  ~frame_socket();

  frame_socket(const frame_socket&) = delete;
  frame_socket& operator=(const frame_socket&) = delete;

  /// Connects to `addr` (TCP_NODELAY), giving up at `deadline`:
  /// ConnectionError naming the address.
  static int connect_to(const Address& addr, std::optional<time_point> deadline);

  /// The sockaddr of Unix socket address `addr`; its length in `len`.
  static sockaddr_un unix_sockaddr(const Address& addr, socklen_t& len);

  /// Reads one frame; none if `deadline` passed first.
  std::optional<wire_frame> read(std::optional<time_point> deadline = std::nullopt);

  /// Writes one frame whole.
  void write(const wire_frame& frame);

  /// Writes already encoded frames whole.
  void write_bytes(const std::string& bytes);

  /// Runs a TLS handshake as server or client over the connected socket,
  /// giving up at `deadline`; from then on all reads and writes are
  /// encrypted. ConnectionError if it fails (a peer without a trusted
  /// certificate, a peer that does not speak TLS).
  void start_tls(ssl_ctx_st* ctx, bool server, time_point deadline);

  /// Stops both directions: a blocked reader wakes with ConnectionError.
  void shutdown() noexcept;

  /// Closes the socket now (async-signal-safe; used in a forked child).
  void close_now() noexcept;

  int fd() const noexcept { return fd_; }

  /// How long a read polls the socket before it sleeps in the kernel. On
  /// this kind of machine waking a thread on another CPU costs tens of
  /// microseconds; a reply that comes within the spin skips that.
  void spin(std::chrono::microseconds span) noexcept { spin_ = span; }

  /// Whether a whole frame is buffered (read() would not wait).
  bool has_frame() const noexcept;

private:
  bool fill(std::optional<time_point> deadline);
  bool fill_tls(std::optional<time_point> deadline);
  void write_tls(const std::string& bytes);

  int fd_;
  std::size_t max_frame_;
  std::chrono::microseconds spin_{0};
  static constexpr std::chrono::milliseconds block_step{100}; // SO_RCVTIMEO of a sleeping read
  bool timeout_set_ = false;
  ssl_st* ssl_ = nullptr;  // TLS, when started
  std::mutex ssl_mtx_;     // one OpenSSL call at a time on ssl_
  std::vector<char> buf_;
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
  std::mutex write_mtx_;
};

} // namespace mpactor

#pragma once

// acceptor: the listening socket of a server (CAF's doorman).
//
// It listens on a TCP or Unix address and, when the event loop says a peer
// waits, accepts all that wait and hands each new socket to `on_accept`.
// At the file-descriptor limit (EMFILE, ENFILE) it does not spin: it closes
// a descriptor it keeps in reserve, accepts the waiting peer, tells it the
// server is out of descriptors, closes it, takes its reserve back, and logs
// one line a second at most; without a reserve it waits 100 ms.

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include <boost/asio/generic/stream_protocol.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <mpactor/actors/core/address.hpp>

namespace mpactor {

class acceptor {
public:
  using socket_type = boost::asio::generic::stream_protocol::socket;
  /// Gets each accepted socket and the peer's printable address.
  using accept_handler = std::function<void(socket_type, std::string peer)>;

  /// Listens on `addr` (its port is updated when it was 0).
  /// ConnectionError if it cannot.
  acceptor(boost::asio::io_context& ioc, Address& addr);
  ~acceptor();

  acceptor(const acceptor&) = delete;
  acceptor& operator=(const acceptor&) = delete;

  /// Starts accepting; `log` gets the line about the descriptor limit.
  void start(accept_handler on_accept, std::function<void(const std::string&)> log);

  /// Stops accepting and closes the listening socket.
  void stop();

  /// Peers refused at the file-descriptor limit so far.
  std::uint64_t refused_at_fd_limit() const noexcept { return refused_; }

  /// Refuses a connected socket with a clear error frame, then closes it.
  static void refuse(int fd, const std::string& why);

private:
  void arm();
  void on_ready();

  boost::asio::io_context& ioc_;
  socket_type sock_; // the listening socket (only waited on)
  boost::asio::steady_timer backoff_;
  bool unix_;
  int reserve_fd_ = -1;
  accept_handler on_accept_;
  std::function<void(const std::string&)> log_;
  std::chrono::steady_clock::time_point last_log_{};
  std::uint64_t refused_ = 0;
};

} // namespace mpactor

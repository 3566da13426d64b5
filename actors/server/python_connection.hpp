#pragma once

// python_connection: one connection of a Python client
// (multiprocessing.managers) on the server's event loop, beside mpactor's
// own client_connection; the socket, the read loop and the output buffer
// with its limits are stream_connection's.
//
// Messages are framed as multiprocessing.connection frames them: a 4-byte
// big-endian length, or -1 and an 8-byte length for a message over 2 GiB.
// Before authentication a message may have 256 bytes, as Python's own
// server allows; after it, max_frame. The server speaks first
// (python_handshake); each message after it is one pickle, handed to the
// host as bytes. Python's client sends one request and waits for its reply,
// so a connection has at most one call running; what the host needs to
// turn that call's reply into Python's is kept with the connection
// (pending()).

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include <mpactor/actors/python/python_methods.hpp>
#include <mpactor/actors/server/python_handshake.hpp>
#include <mpactor/actors/server/stream_connection.hpp>

namespace mpactor {

class python_connection;

/// What a Python connection needs from its server.
class python_connection_host : public virtual stream_host {
public:
  virtual std::string_view authkey() const noexcept = 0;
  virtual bool accept_md5() const noexcept = 0;
  /// One message (a pickle) of an authenticated connection.
  virtual void handle(python_connection& c, std::string_view message) = 0;
  /// The connection ended. Once.
  virtual void closed(python_connection& c) = 0;
};

class python_connection : public stream_connection {
public:
  python_connection(python_connection_host& host, socket_type sock, std::uint64_t id,
                    std::string peer);

  /// Sends one message, framed.
  void send_message(std::string_view payload);

  /// Room a message leaves at its front for its length header.
  static constexpr std::size_t header_room = 4;

  /// multiprocessing.connection's header for a message of `n` bytes: 4
  /// bytes big-endian, or -1 and 8 bytes when `n` does not fit 31 bits.
  static std::string header(std::uint64_t n);

  /// Sends one message whose first header_room bytes are room for its
  /// header (written there, so that a reply is not copied to be framed).
  void send_framed(std::string message);

  bool authenticated() const noexcept override { return authenticated_.load(); }

  /// The session of a connection that serves a thread's method calls
  /// (after accept_connection), else 0.
  std::uint64_t session() const noexcept { return session_; }
  void session(std::uint64_t s) noexcept { session_ = s; }

  /// The call running now and how its reply is made.
  void pending(std::uint64_t request, python::native_call call);
  std::optional<python::native_call> take_pending(std::uint64_t request);

  /// Numbers the calls of this connection.
  std::uint64_t next_request() noexcept { return ++requests_; }

  std::shared_ptr<python_connection> shared() {
    return std::static_pointer_cast<python_connection>(shared_from_this());
  }

protected:
  void started() override;
  void received(const char* data, std::size_t n) override;
  std::size_t unread() const noexcept override { return buf_.size(); }
  void ended() override;

private:
  void on_message(std::string_view message);

  python_connection_host& host_;
  python_handshake handshake_;
  std::atomic<bool> authenticated_{false};
  std::atomic<std::uint64_t> session_{0};
  std::uint64_t requests_ = 0; // the read thread only
  std::string buf_;            // the read thread only: an unfinished message

  std::mutex pending_mtx_;
  std::uint64_t pending_request_ = 0;          // guarded by pending_mtx_
  std::optional<python::native_call> pending_; // guarded by pending_mtx_
};

} // namespace mpactor

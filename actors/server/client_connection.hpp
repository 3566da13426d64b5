#pragma once

// client_connection: one client's connection in mpactor's own protocol, as
// the server's event loop sees it (CAF's scribe): TLS when configured, the
// handshake, then frames. The socket, the read loop and the output buffer
// with its limits are stream_connection's.
//
// Reading: the bytes read are cut into frames (small ones until the
// handshake is over) and each is handed to the connection_host.
//
// Writing: send() encodes a frame (and seals it with TLS) into the output.

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
#include <mpactor/actors/server/stream_connection.hpp>
#include <mpactor/actors/wire/frame_reader.hpp>
#include <mpactor/actors/wire/handshake.hpp>
#include <mpactor/actors/wire/tls_filter.hpp>
#include <mpactor/actors/wire/wire_frame.hpp>

struct ssl_ctx_st;

namespace mpactor {

class client_connection;

/// What a connection needs from its server.
class connection_host : public virtual stream_host {
public:
  virtual std::string_view authkey() const noexcept = 0;
  virtual std::uint64_t incarnation() const noexcept = 0;
  /// The handshake passed: the session number of `session_key`.
  virtual std::uint64_t open_session(client_connection& c, const std::string& session_key) = 0;
  /// A frame of an authenticated connection.
  virtual void handle(client_connection& c, wire_frame&& f) = 0;
  /// The connection ended: its calls and session are cleaned up. Once.
  virtual void closed(client_connection& c) = 0;
};

class client_connection : public stream_connection {
public:
  enum class phase { tls, handshake, serving };

  client_connection(connection_host& host, socket_type sock, std::uint64_t id,
                    std::string peer, ssl_ctx_st* tls);

  /// Appends one frame to the output (stream_connection::send_bytes).
  void send(const wire_frame& f);

  std::uint64_t session() const noexcept { return session_; }
  phase state() const noexcept { return phase_.load(); }
  bool authenticated() const noexcept override { return phase_ == phase::serving; }

  std::shared_ptr<client_connection> shared() {
    return std::static_pointer_cast<client_connection>(shared_from_this());
  }

protected:
  void started() override;
  void received(const char* data, std::size_t n) override;
  std::size_t unread() const noexcept override { return reader_.buffered(); }
  void ended() override;
  void idle_tick() override;
  void seal_locked(std::string& bytes) override;

private:
  void on_frame(wire_frame&& f);

  connection_host& host_;
  std::uint64_t session_ = 0;
  std::atomic<phase> phase_{phase::handshake};

  // Read side: touched by the one thread running on_received.
  frame_reader reader_;
  std::optional<server_handshake> handshake_;
  bool hello_seen_ = false;
  std::unique_ptr<tls_filter> tls_;
};

} // namespace mpactor

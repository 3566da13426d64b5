#pragma once

// server: a manager's server (Python's managers.Server).
//
// One event loop (Boost.Asio) on a fixed number of I/O threads serves every
// connection: the acceptor hands each new socket to a client_connection,
// which runs TLS and the handshake, then reads calls. The objects are CAF
// actors (object_actor); an I/O thread is itself a CAF execution unit
// (io_unit), so a call runs its object's actor on the thread that read it
// and the reply is written from there: no thread hop between the socket and
// the object. A call that must wait (Queue.get, acquire) is a deferred
// reply, appended to its connection's output by whichever thread completes
// it. Nobody waits on a slow reader: each connection has its own output
// buffer with limits (server_limits.hpp).
//
// Object 0 is the manager itself (manager_service.hpp). A connection that
// closes cancels its pending calls; a reply that finds its connection gone
// goes back to its object (a Queue item returns to the head); a session
// whose last connection closes gives back its references and the locks it
// held (session_table.hpp).

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <mpactor/actors/core/address.hpp>
#include <mpactor/actors/runtime/object_registry.hpp>
#include <mpactor/actors/server/server_limits.hpp>

struct ssl_ctx_st;

namespace mpactor {

class server {
public:
  /// Binds `bind` (port 0: any free port). Refuses a non-loopback address
  /// without an authkey (ValueError).
  server(const Address& bind, std::string authkey,
         std::shared_ptr<const object_registry> registry,
         std::shared_ptr<ssl_ctx_st> tls = nullptr);
  ~server();

  server(const server&) = delete;
  server& operator=(const server&) = delete;

  /// The address it listens on (with the port the system chose).
  const Address& address() const noexcept;

  /// Serves until shutdown() or a client's shutdown call.
  void serve_forever();

  /// Stops serving: serve_forever() returns. Thread-safe, idempotent.
  void shutdown();

  /// Statistics, so that a user can see why a manager is slow without a
  /// debugger: live objects (and per type), sessions (client processes),
  /// connections, calls handled, calls per second since the previous
  /// stats(), resident memory, uptime.
  json stats() const;

  /// Also serves unmodified Python clients (multiprocessing.managers:
  /// `SyncManager(address, authkey).connect()`) on `bind`, a port of their
  /// own, on the same objects (python_service.hpp). Binds now (port 0: any
  /// free port; python_address() tells which). With `accept_md5` off, Python
  /// 3.11 and older clients (HMAC-MD5) are refused. Refuses a non-loopback
  /// address without an authkey (ValueError). Call before serve_forever().
  void serve_python(const Address& bind, bool accept_md5 = true);

  /// The address Python clients use (empty unless serve_python()).
  const Address& python_address() const noexcept;

  /// Frames larger than `bytes` drop their connection (default 64 MiB).
  /// Set before serve_forever().
  void set_max_frame(std::size_t bytes);

  /// Every limit (server_limits.hpp); ValueError if one cannot work. Set
  /// before serve_forever().
  void set_limits(const server_limits& limits);
  const server_limits& limits() const noexcept;

  /// Receives one line per client connect, disconnect and refused handshake
  /// (never the authkey). Set before serve_forever().
  void set_logger(std::function<void(const std::string&)> log);

  struct impl;

private:
  std::unique_ptr<impl> impl_;
};

} // namespace mpactor

#pragma once

// server: a manager's server (Python's managers.Server).
//
// It listens on a TCP address, authenticates each connection (handshake.hpp),
// and serves it on a thread of its own. The objects are CAF actors
// (object_actor) in the server's actor system; a connection's thread is
// itself a CAF execution unit, so a call runs its object's actor right there
// and the reply is written by the connection's actor_companion: no thread
// hop between the socket and the object, which is what makes a synchronous
// call about as fast as a TCP round trip. A call that must wait (Queue.get,
// acquire) is a deferred reply: the thread goes on reading, and the reply is
// written from wherever the call completes.
//
// Object 0 is the manager itself: create, incref, decref, shutdown, stats.
// A connection that closes cancels its pending calls; a session whose last
// connection closes gives back its references and the locks it held.

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

  /// Frames larger than `bytes` drop their connection (default 64 MiB).
  /// Set before serve_forever().
  void set_max_frame(std::size_t bytes);

  /// Receives one line per client connect, disconnect and refused handshake
  /// (never the authkey). Set before serve_forever().
  void set_logger(std::function<void(const std::string&)> log);

  struct impl;

private:
  std::unique_ptr<impl> impl_;
};

} // namespace mpactor

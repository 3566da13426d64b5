#pragma once

// BaseManager: a server process that owns objects, and this process's link
// to it (Python's managers.BaseManager).
//
//   start(initializer)   forks a server process (initializer runs in it
//                        first) listening on address() with authkey();
//                        it exits when this process dies, even by SIGKILL
//   connect()            uses a server started elsewhere (same authkey)
//   get_server()         a server in this process: serve_forever() blocks
//   shutdown()           stops a started server (idempotent; also on
//                        destruction)
//   create(type_id, args) a new object of a registered type, as a proxy
//   serve_python(bind)   the server also serves unmodified Python clients
//                        (multiprocessing.managers) on a port of their own;
//                        python_address() says where once it listens
//
// Registering types: register_factory(type_id, factory) for managed_object
// states, register_type<T>(type_id) for plain C++ classes (see
// class_registration.hpp), register_actor(type_id, spawner) for CAF actors
// that run on the manager's node (actor_context.hpp). Registrations must
// happen before start() (the server process inherits them) or before
// get_server(): registering on a started manager (Manager() is started) is
// a ProcessError at once, not an "unknown type id" later.
//
// shutdown() of a manager that connect()ed closes its link (Python's
// manager has no server to stop there either); start() after shutdown() is
// a ProcessError "Manager has shut down", as in Python.
//
// A BaseManager is move-only. Its proxies stay usable in forked children.

#include <memory>
#include <string>

#include <mpactor/actors/core/address.hpp>
#include <mpactor/actors/proxies/base_proxy.hpp>
#include <mpactor/actors/runtime/object_registry.hpp>
#include <mpactor/actors/server/server.hpp>
#include <mpactor/actors/wire/tls_config.hpp>
#include <mpactor/shm/process.hpp>
#include <mpactor/shm/timeout.hpp>

namespace mpactor {

template <class T>
class class_registration;

class BaseManager {
public:
  /// A manager for `address` (default: loopback, any port). An empty
  /// authkey means: a fresh random one on start(), required for connect().
  explicit BaseManager(Address address = {}, std::string authkey = {});
  virtual ~BaseManager();

  BaseManager(BaseManager&&) noexcept;
  BaseManager& operator=(BaseManager&&) noexcept;

  /// Starts the server process; returns once it accepts connections.
  /// ProcessError if it cannot start.
  void start(std::function<void()> initializer = {});

  /// Connects to a running server at address() with authkey().
  /// AuthenticationError on a wrong key, ConnectionError if unreachable.
  void connect();

  /// Stops a server started by start(), or closes the link of a manager
  /// that connect()ed (the server keeps running); idempotent.
  void shutdown();

  /// Waits for the server process to end (after shutdown()).
  void join(Timeout timeout = none);

  /// The server's address (the actual port once started).
  Address address() const;

  /// The authkey.
  const std::string& authkey() const;

  /// A server in this process on address(); call serve_forever() on it.
  server& get_server();

  /// The limits of the server this manager starts or gets (server_limits.hpp:
  /// clients, pending calls, frame sizes, output buffers, I/O threads); set
  /// before start() or get_server(). ValueError if one cannot work.
  void set_limits(const server_limits& limits);

  /// Makes every link of this manager mutual TLS (see tls_config.hpp); set
  /// before start(), connect() or get_server(). ValueError if a file
  /// cannot be loaded.
  void set_tls(const TlsConfig& config);

  /// Makes the server this manager starts (start()) or gets (get_server())
  /// also serve unmodified Python clients (multiprocessing.managers:
  /// `BaseManager(address, authkey).connect()`) on `bind`, a port of their
  /// own (port 0: any free port), on the same objects; see
  /// server::serve_python. Call before start(); on a manager whose
  /// get_server() was made, it binds at once. ProcessError once started.
  void serve_python(const Address& bind, bool accept_md5 = true);

  /// Where Python clients connect: the bound address (with the port the
  /// system chose) once start() or get_server() ran, else what
  /// serve_python() asked for; host "" and port 0 without serve_python().
  Address python_address() const;

  /// Registers a type id with a factory of managed_object states.
  void register_factory(const std::string& type_id, object_factory factory);

  /// Registers `type_id` as the name of one object of `base_type_id`
  /// (made from `args` on first use) that every create(type_id) shares:
  /// a server's job queue that all clients get (Python's
  /// register('get_queue', callable=lambda: queue)). ValueError if
  /// `base_type_id` is not registered.
  void register_shared(const std::string& type_id, const std::string& base_type_id,
                       json args = json::object());

  /// Registers a user actor type (see actor_context.hpp): create(type_id,
  /// args) spawns one on the manager's node, beside the objects, and gives
  /// its proxy; it runs until it quits or the manager shuts down.
  void register_actor(const std::string& type_id, actor_spawner spawner);

  /// Registers C++ class T under `type_id`; expose its methods on the result.
  template <class T>
  class_registration<T> register_type(const std::string& type_id);

  /// Creates an object of `type_id` with `args`; returns its proxy.
  BaseProxy create(const std::string& type_id, json args = json::object()) const;

  template <class P>
  P create(const std::string& type_id, json args = json::object()) const {
    return P(create_ref(type_id, std::move(args)));
  }

  /// The server's statistics (objects per type, sessions, calls).
  json stats() const;

  /// Whether the server process is running (started by this manager).
  bool is_alive() const;

  /// The server process's pid (0 if not started here).
  pid_t server_pid() const;

protected:
  std::shared_ptr<object_ref> create_ref(const std::string& type_id, json args) const;
  std::shared_ptr<client> link() const;
  object_registry& registry();
  /// ProcessError if the manager is started (its server has its registry).
  void refuse_registration_if_started(const std::string& type_id) const;

private:
  struct state;
  std::unique_ptr<state> st_;
};

} // namespace mpactor

#include <mpactor/actors/runtime/class_registration.hpp>

namespace mpactor {

template <class T>
class_registration<T> BaseManager::register_type(const std::string& type_id) {
  refuse_registration_if_started(type_id);
  return class_registration<T>(registry(), type_id);
}

} // namespace mpactor

#pragma once

// python_service: the Python side of a server (Python's managers.Server for
// unmodified multiprocessing.managers clients), on the server's event loop
// beside the native protocol, on the same objects.
//
// It listens on a port of its own (the server speaks first, so one port
// cannot serve both protocols) and makes a python_connection per client.
// Control calls (ident None) map onto manager_service and the object table:
// dummy, create, incref, decref, get_methods, number_of_objects,
// debug_info, shutdown, accept_connection. Method calls map through
// python_methods onto the objects' native methods and run like native calls
// (object_call.hpp); replies are '#RETURN', '#ERROR' (a Python exception),
// '#TRACEBACK' (a message) and '#PROXY' (an Iterator, or the new object of a
// register_type'd method exposed with a result type id). A register_type'd
// class is exposed to Python with its exposed method names (Python's
// AutoProxy makes its methods from them).
//
// Reference counts are Python's: global, not per process. Every Python
// reference is one of a session the service opens for itself and never
// closes, so incref and decref may come on any connection (Python's client
// sends each on a fresh one), and a Python client that dies leaks its
// references as it does on Python's server. Lock holds and waits are per
// connection (one per Python thread, after accept_connection): each has a
// session of its own, ended when it closes, which releases what it held.

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio/io_context.hpp>

#include <caf/actor_system.hpp>

#include <mpactor/actors/core/address.hpp>
#include <mpactor/actors/python/pickle_reader.hpp>
#include <mpactor/actors/python/pickle_writer.hpp>
#include <mpactor/actors/runtime/object_registry.hpp>
#include <mpactor/actors/runtime/object_table.hpp>
#include <mpactor/actors/server/acceptor.hpp>
#include <mpactor/actors/server/manager_service.hpp>
#include <mpactor/actors/server/python_connection.hpp>
#include <mpactor/actors/server/session_table.hpp>

namespace mpactor {

class python_service final : public python_connection_host {
public:
  /// What the service uses of its server.
  struct environment {
    caf::actor_system& sys;
    object_table& table;
    manager_service& service;
    session_table& sessions;
    std::shared_ptr<const object_registry> registry;
    boost::asio::io_context& ioc;
    const server_limits& limits;
    std::function<std::string_view()> authkey;
    std::function<void(const std::string&)> log;
    std::function<bool(const std::string& peer)> may_accept; ///< false: over max_clients
    /// Moves an accepted socket to the event loop its connection runs on
    /// (round robin over the I/O threads, or the first while they gather);
    /// none: it could not be moved.
    std::function<std::optional<loop_place>(acceptor::socket_type& sock)> pin;
    /// A connection was closed for a limit or refused (the server counts it).
    std::function<void(stream_host::drop)> dropped;
    /// The server's count of requests read, both protocols' (its stats'
    /// calls and calls_per_second).
    std::atomic<std::uint64_t>& calls;
  };

  /// Listens on `addr` (its port is set when it was 0).
  python_service(environment env, Address& addr, bool accept_md5);

  /// Starts accepting (on the event loop).
  void start();

  /// Stops accepting and closes every connection.
  void stop();

  /// Ticks every connection (handshake deadline, output limits); returns
  /// how many sent something lately (stream_connection::tick).
  std::size_t tick(std::chrono::steady_clock::time_point now);

  /// The open connections (for the server's ticker and stats).
  std::vector<std::shared_ptr<python_connection>> snapshot() const;

  /// Open connections, and their unsent and unread bytes.
  std::size_t connections() const;
  std::size_t unsent() const;

  // -- python_connection_host --------------------------------------------------

  const server_limits& limits() const noexcept override { return env_.limits; }
  void log(const std::string& line) override { env_.log(line); }
  void dropped(drop why) override {
    if (env_.dropped)
      env_.dropped(why);
  }
  std::string_view authkey() const noexcept override { return env_.authkey(); }
  bool accept_md5() const noexcept override { return accept_md5_; }
  void handle(python_connection& c, std::string_view message) override;
  void closed(python_connection& c) override;

private:
  void on_accept(acceptor::socket_type sock, std::string peer);
  void control(python_connection& c, const std::string& method, const json& args,
               const json& kwds);
  void call(python_connection& c, const std::string& ident, const std::string& method,
            const json& args, const json& kwds);
  void respond(python_connection& c, std::uint64_t request, caf::type_erased_tuple& content);
  void reply(python_connection& c, const char* kind, const json& value);
  std::uint64_t create(const std::string& python_typeid, const json& args, const json& kwds,
                       std::vector<std::string>& exposed);
  std::uint64_t make_iterator(const python::native_call& nc, json items);
  std::vector<std::string> exposed_of(const std::string& native_type) const;
  json to_native(json v) const;
  json to_python(json v) const;

  environment env_;
  bool accept_md5_;
  acceptor accept_;
  Address addr_; // where Python clients connect (in the tokens of proxies sent back)
  python::pickle_reader reader_;
  python::pickle_writer writer_;
  std::uint64_t references_; // the session holding every Python reference
  std::atomic<std::uint64_t> next_id_{1};
  mutable std::mutex mtx_;
  std::unordered_map<std::uint64_t, std::shared_ptr<python_connection>> conns_; // guarded by mtx_
};

} // namespace mpactor

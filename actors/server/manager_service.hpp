#pragma once

// manager_service: object 0, the manager itself (Python's Server methods):
// create, incref, decref, shutdown, stats, types.
//
// It knows no protocol: a call is a method name, json arguments and the
// calling session, and it returns json or throws the error the client
// raises. The native protocol maps frames onto it (server.cpp); the Python
// protocol can map its control calls onto the same methods.
// It also keeps the objects of shared type ids and the user actors it
// spawned, which the server stops at shutdown.

#include <cstdint>
#include <functional>
#include <future>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <caf/actor_addr.hpp>
#include <caf/actor_system.hpp>

#include <mpactor/actors/core/json.hpp>
#include <mpactor/actors/runtime/object_registry.hpp>
#include <mpactor/actors/runtime/object_table.hpp>

namespace mpactor {

class manager_service {
public:
  manager_service(caf::actor_system& sys, object_table& table,
                  std::shared_ptr<const object_registry> registry);

  /// Runs manager method `method` for `session`. `stop` is called by
  /// "shutdown" after the reply; `stats` makes the "stats" reply.
  json call(const std::string& method, const json& args, std::uint64_t session);

  /// Creates an object; `creator` (a session) gets the first reference.
  std::uint64_t create(const std::string& type_id, const json& args,
                       std::optional<std::uint64_t> creator = std::nullopt);

  void on_shutdown(std::function<void()> f) { on_shutdown_ = std::move(f); }
  void on_stats(std::function<json()> f) { on_stats_ = std::move(f); }

  /// Stops the user actors and waits (5 s at most) until what they
  /// attached has run.
  void stop_user_actors();

private:
  std::uint64_t shared_object(const std::string& name, const std::pair<std::string, json>& spec);

  caf::actor_system& sys_;
  object_table& table_;
  std::shared_ptr<const object_registry> registry_;
  std::function<void()> on_shutdown_;
  std::function<json()> on_stats_;

  struct spawned_actor {
    caf::actor_addr addr;
    std::shared_future<void> finished;
  };
  std::mutex user_mtx_;
  std::vector<spawned_actor> user_actors_; // guarded by user_mtx_
  std::mutex shared_mtx_;
  std::unordered_map<std::string, std::uint64_t> shared_ids_; // guarded by shared_mtx_
};

} // namespace mpactor

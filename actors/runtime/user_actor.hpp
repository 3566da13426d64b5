#pragma once

// user_actor: a registered user actor type, spawned in a manager's server.
//
// The object table holds, for each user actor, an object actor whose state
// forwards every call to the user actor (as (call_atom, method, args)) and
// delivers its answer, so clients, proxies and actor handles reach it like
// any managed object. The server keeps a reference of its own, released
// when the user actor quits; shutting the server down stops it. See
// actor_context.hpp for the user's side.

#include <cstdint>
#include <future>
#include <optional>
#include <string>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include <mpactor/actors/runtime/actor_context.hpp>
#include <mpactor/actors/core/json.hpp>
#include <mpactor/actors/runtime/object_table.hpp>

namespace mpactor {

/// A spawned user actor.
struct user_actor {
  std::uint64_t id = 0;   ///< its object id
  caf::actor actor;       ///< the user's actor (to stop it with the server)
  /// Ready once the actor has stopped and everything attached to it ran.
  std::shared_future<void> finished;
};

/// Spawns a user actor of `type_id` made by `spawner` from `args`, files it
/// in `table` with a reference of session 0 (the server's) and one of
/// `creator` if given (counted before the actor may stop, so that an actor
/// that stops at once is still there to say why).
user_actor spawn_user_actor(caf::actor_system& sys, object_table& table,
                            const std::string& type_id, const actor_spawner& spawner,
                            const json& args,
                            std::optional<std::uint64_t> creator = std::nullopt);

} // namespace mpactor

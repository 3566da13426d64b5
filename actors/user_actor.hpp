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
#include <optional>
#include <string>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include <mpactor/actors/actor_context.hpp>
#include <mpactor/actors/json.hpp>
#include <mpactor/actors/object_table.hpp>

namespace mpactor {

/// Spawns a user actor of `type_id` made by `spawner` from `args`, files it
/// in `table` with a reference of session 0 (the server's) and one of
/// `creator` if given (counted before the actor may stop, so that an actor
/// that stops at once is still there to say why), and returns its id and
/// the user actor itself (to stop it with the server).
std::pair<std::uint64_t, caf::actor>
spawn_user_actor(caf::actor_system& sys, object_table& table, const std::string& type_id,
                 const actor_spawner& spawner, const json& args,
                 std::optional<std::uint64_t> creator = std::nullopt);

} // namespace mpactor

#pragma once

// object_actor: the CAF actor that hosts one managed object.
//
// It owns the object's state (a managed_object) and handles the messages of
// object_messages.hpp one at a time. An exception a handler throws becomes an
// error reply (it would kill a CAF actor otherwise): mpactor's exceptions keep
// their error_code, json type errors become TypeError, anything else
// RemoteError. When the object_table stops the actor, the state is destroyed
// and drops the references it held.

#include <memory>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include <mpactor/actors/objects/managed_object.hpp>
#include <mpactor/actors/runtime/object_table.hpp>

namespace mpactor {

/// Spawns the actor of `object` (lazily: it costs no thread until called).
caf::actor spawn_object_actor(caf::actor_system& sys,
                              std::shared_ptr<managed_object> object,
                              object_table& table);

} // namespace mpactor

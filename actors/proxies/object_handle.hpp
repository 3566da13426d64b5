#pragma once

// object_handle: CAF actor handles of managed objects, for actors anywhere.
//
// A proxy gives its object's actor handle in an actor system of this
// process; CAF actors then use the object with the messages of
// object_messages.hpp and never block:
//
//   auto dict = proxy.actor(sys);                 // a caf::actor
//   self->request(dict, caf::infinite, mpactor::call_atom::value,
//                 std::string{"get"}, mpactor::json{{"key", "a"}})
//     .then([](const mpactor::json& v) { ... },
//           [](const caf::error& e) { ... mpactor::error_of(e) ... });
//
// The handle is an actor of `sys` that forwards each call over an
// authenticated connection of the proxy's manager (async_link.hpp): many
// calls in flight, blocking ones as deferred replies, every pending call
// failed with connection_error within about 1.5 s when the manager dies or
// stops answering. It keeps the object alive while it lives. It may be sent
// to other actors, also on other CAF nodes (register the message types
// there with add_message_types); wrap<P>(sys, handle) makes a blocking proxy
// of it again, in any process that has a manager of the same server. As for
// any CAF actor, a handle that went to another node stays registered with
// the middleman until it is stopped (anon_send_exit), and ~actor_system
// waits for it.
//
// Actors spawned on the manager node itself (BaseManager::register_actor)
// reach the objects there directly, without a connection.

#include <chrono>
#include <memory>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include <mpactor/actors/proxies/base_proxy.hpp>
#include <mpactor/actors/objects/object_messages.hpp>

namespace mpactor {

/// The handle of `proxy`'s object in `sys` (what BaseProxy::actor gives).
/// ConnectionError if its manager cannot be reached.
caf::actor spawn_object_handle(caf::actor_system& sys, const BaseProxy& proxy);

/// The reference to the object `handle` stands for, asking it for its token
/// (waits up to `timeout`). A handle that is not a managed object's gives
/// TypeError; an object of a server this process has no manager of (or
/// client) gives ValueError: connect a manager with its authkey first.
std::shared_ptr<object_ref> ref_of_handle(caf::actor_system& sys, const caf::actor& handle,
                                          std::chrono::milliseconds timeout);

/// A blocking proxy of type P (DictProxy, QueueProxy, ...) for `handle`.
template <class P = BaseProxy>
P wrap(caf::actor_system& sys, const caf::actor& handle,
       std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
  return P(ref_of_handle(sys, handle, timeout));
}

} // namespace mpactor

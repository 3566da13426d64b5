#pragma once

// actor_context: what a user actor spawned on a manager node can reach.
//
// BaseManager::register_actor(type_id, spawner) registers an actor type;
// create(type_id, args) then spawns one in the manager's server process,
// next to the objects, and gives a proxy of it (call() blocks, actor(sys)
// gives its handle). The spawner makes the actor's behavior; its calls are
// the messages of object_messages.hpp, each answered with one json value
// (caf::make_message(json), or a response promise delivering one) or a
// caf::error (make_error gives the client a typed exception):
//
//   m.register_actor("summer", [](caf::event_based_actor* self,
//                                 mpactor::actor_context& ctx,
//                                 const mpactor::json& args) -> caf::behavior {
//     auto dict = ctx.actor_of(args.at("totals"));  // a proxy passed in args
//     return {[=](mpactor::call_atom, const std::string& method,
//                 mpactor::json& a) -> caf::result<caf::message> { ... }};
//   });
//
// Objects reached through the context are the manager's own actors: no
// connection, no serialization. Objects named in the spawn arguments and
// objects the actor creates stay alive while it runs. A user actor lives
// until it quits or the manager shuts down, which stops it (an exit
// message with exit_reason::user_shutdown); proxies of it do not keep it
// running, and calls to a stopped one fail with RemoteError.

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include <caf/actor.hpp>
#include <caf/behavior.hpp>
#include <caf/fwd.hpp>

#include <mpactor/actors/core/json.hpp>

namespace mpactor {

class object_table;

class actor_context {
public:
  explicit actor_context(object_table& table) : table_(table) {
    // nop
  }

  ~actor_context();

  actor_context(const actor_context&) = delete;
  actor_context& operator=(const actor_context&) = delete;

  /// The actor of the managed object `marker` names (a proxy passed in the
  /// arguments, a marker from a reply). TypeError if `marker` is not a
  /// reference marker, ValueError for an object of another server,
  /// RemoteError if it was freed.
  caf::actor actor_of(const json& marker) const;

  /// Creates a managed object of `type_id` on this node; its marker. It
  /// lives at least as long as this actor.
  json create(const std::string& type_id, json args = json::object());

  /// Keeps the objects that `value`'s markers name alive while this actor
  /// runs (the spawn arguments are kept this way already).
  void hold(const json& value);

private:
  object_table& table_;
  std::mutex mtx_;
  json held_ = json::array(); // guarded by mtx_
};

/// Makes the behavior of a user actor from its spawn arguments.
using actor_spawner = std::function<caf::behavior(caf::event_based_actor* self,
                                                  actor_context& ctx, const json& args)>;

} // namespace mpactor

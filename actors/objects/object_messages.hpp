#pragma once

// object_messages: the messaging interface every managed object's actor
// understands. CAF actors use managed objects with these messages
// (request(...).then(...), never blocking); proxies are the blocking face of
// the same messages. A proxy gives the actor handle of its object with
// BaseProxy::actor(sys), and wrap<P>(sys, handle) makes a proxy of one (see
// object_handle.hpp); user actors spawned on a manager node get the handles
// of the objects next to them from their actor_context.
//
//   (call_atom, std::string method, json args) -> json
//       Runs `method` with `args`: the proxy's method names ("append",
//       "get", "put", "acquire", ...) and its parameter names as a json
//       object ({"key": "a"}, {"item": 1, "timeout": 0.5}); each type's
//       objects/<type>_object.hpp lists them (dict_object.hpp, queue_object.hpp, ...).
//       Blocking methods ("get" of a Queue, "acquire", "wait") are deferred
//       replies: the object goes on serving others and answers when the
//       call can complete or its "timeout" (seconds) runs out; the
//       requester may also give request() a timeout of its own, but should
//       not rely on it alone for a blocking call: the call then still waits
//       in the server, and what it takes later (a Queue item, a lock) goes
//       to nobody. Pass "timeout" in args.
//       Errors come back as a caf::error in category "mpactor" (see
//       error_of() and raise_error()), whose code is an error_code and whose
//       context holds the message; a dead or silent manager is
//       error_code::connection_error within about 1.5 s.
//       Locks are owned by the calling actor: an actor that acquired a Lock
//       releases it. Reference markers in the reply carry their server's
//       address, so they can be sent anywhere.
//   (token_atom) -> json
//       The object's reference marker (Token::to_marker), for wrap();
//       answered by the handles of BaseProxy::actor().
//
// Internal messages of the server:
//   (call_atom, std::string method, json args, caller who) -> json
//   (cancel_atom, uint64_t connection)    drop pending calls of a connection
//   (release_atom, uint64_t session)      release what a session held
//   (expire_atom, uint64_t ticket)        a deferred call timed out
//   (undelivered_atom, uint64_t connection, std::string method, json result)
//                                         a reply whose connection was gone
//                                         comes back (a Queue item returns)
//
// A caller is (session, connection, thread): locks are owned by
// (session, thread), so ownership follows the calling process and thread
// (or actor), not the proxy object.
//
// Systems that pass these messages between CAF nodes (a handle sent to
// another node) register their types first: add_message_types(cfg).

#include <cstdint>
#include <string>

#include <caf/actor_control_block.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/atom.hpp>
#include <caf/error.hpp>
#include <caf/meta/load_callback.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/none.hpp>

#include <mpactor/actors/core/error_code.hpp>
#include <mpactor/actors/core/json.hpp>

namespace mpactor {

using call_atom = caf::atom_constant<caf::atom("mpcall")>;
using cancel_atom = caf::atom_constant<caf::atom("mpcancel")>;
using release_atom = caf::atom_constant<caf::atom("mprelease")>;
using expire_atom = caf::atom_constant<caf::atom("mpexpire")>;
using token_atom = caf::atom_constant<caf::atom("mptoken")>;
using undelivered_atom = caf::atom_constant<caf::atom("mpundeliv")>;

/// Who makes a call.
struct caller {
  std::uint64_t session = 0;
  std::uint64_t connection = 0;
  std::uint64_t thread = 0;

  friend bool operator==(const caller& x, const caller& y) {
    return x.session == y.session && x.thread == y.thread;
  }
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, caller& x) {
  return f(caf::meta::type_name("mpactor::caller"), x.session, x.connection, x.thread);
}

/// The caller an actor is when it messages a managed object itself: its own
/// session and thread, made of its node and actor id.
caller caller_of(const caf::strong_actor_ptr& sender);

/// The error category of mpactor's caf::error values.
inline constexpr caf::atom_value error_category = caf::atom("mpactor");

/// A caf::error carrying `code` and `message`.
inline caf::error make_error(error_code code, std::string message) {
  return caf::error{static_cast<std::uint8_t>(code), error_category,
                    caf::make_message(std::move(message))};
}

/// The error_code of a caf::error of category "mpactor" (remote_error for
/// any other error, such as a request timeout).
error_code error_of(const caf::error& err);

/// The message of a caf::error (what the exception would say).
std::string message_of(const caf::error& err);

/// Throws the exception that a blocking proxy call would have thrown for
/// `err` (KeyError, Empty, ConnectionError, ...; RemoteError for errors of
/// other categories).
[[noreturn]] void raise_error(const caf::error& err);

/// Registers json and caller as message types of `cfg` (for handles used
/// across CAF nodes).
void add_message_types(caf::actor_system_config& cfg);

} // namespace mpactor

namespace nlohmann {

// json crosses CAF nodes as MessagePack bytes.
template <class Inspector>
typename std::enable_if<Inspector::reads_state, typename Inspector::result_type>::type
inspect(Inspector& f, json& x) {
  std::vector<char> bytes;
  json::to_msgpack(x, bytes);
  return f(bytes);
}

template <class Inspector>
typename std::enable_if<Inspector::writes_state, typename Inspector::result_type>::type
inspect(Inspector& f, json& x) {
  std::vector<char> bytes;
  auto load = caf::meta::load_callback([&]() -> caf::error {
    x = json::from_msgpack(bytes, true, false);
    if (x.is_discarded())
      return caf::make_error(caf::sec::invalid_argument, "malformed json payload");
    return caf::none;
  });
  return f(bytes, load);
}

} // namespace nlohmann

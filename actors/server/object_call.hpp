#pragma once

// object_call: how a connection of either protocol hands a call to an
// object actor and gets its reply back.
//
// enqueue_call() puts the call in the object's mailbox with the
// connection's reply actor as sender, on the calling I/O thread's
// execution unit (io_unit), and counts it in the connection's call_ledger.
// make_reply_actor() makes that reply actor: it outlives its connection; a
// response that finds the connection open goes to `respond` (which turns
// it into the protocol's reply), one that finds it gone goes back to its
// object as undelivered when its call may wait (a Queue item returns to the
// head, a lock grant is handed on).

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/type_erased_tuple.hpp>

#include <mpactor/actors/core/json.hpp>
#include <mpactor/actors/objects/object_messages.hpp>
#include <mpactor/actors/runtime/object_table.hpp>
#include <mpactor/actors/server/session_table.hpp>
#include <mpactor/actors/server/stream_connection.hpp>

namespace mpactor {

/// Turns one response (a json, a caf::error or nothing) into a reply of
/// `conn` to `request`.
using respond_fn =
  std::function<void(stream_connection& conn, std::uint64_t request, caf::type_erased_tuple& content)>;

/// The actor that receives the responses of `conn`'s calls.
caf::actor make_reply_actor(caf::actor_system& sys, const std::shared_ptr<stream_connection>& conn,
                            respond_fn respond);

/// Hands `method(body)` for `who` to `actor` (object `object`) from `c`.
/// With `wants_reply`, the response comes to c's reply actor as request
/// `request`. `may_wait`: the object's may_wait(method) (object_table::
/// find_call); such a call is cancelled when `c` closes and its reply, if
/// it finds `c` gone, goes back. Returns true when `object` is newly waited
/// on by `c` (its session should be told, session_table::note_object).
bool enqueue_call(stream_connection& c, const caf::actor& actor, std::uint64_t object,
                  bool may_wait, bool wants_reply, std::uint64_t request, std::string method,
                  json body, const caller& who);

/// Connection `c` closed: the calls it left waiting are cancelled, and when
/// it was the last connection of `session` (0: it had none), what that
/// session held (references, lock holds) is given back.
void end_calls(stream_connection& c, std::uint64_t session, object_table& table,
               session_table& sessions);

} // namespace mpactor

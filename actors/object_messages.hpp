#pragma once

// object_messages: the messaging interface every managed object's actor
// understands. CAF actors use managed objects with these messages directly
// (request(...).then(...), never blocking); proxies are the blocking face of
// the same messages.
//
//   (call_atom, std::string method, json args, caller who) -> json
//       Runs `method` (the proxy's method names: "append", "get", ...) with
//       `args` (a json object of named arguments). Blocking methods ("get" of
//       a Queue, "acquire", "wait") are deferred replies: the actor goes on
//       serving others and answers when the call can complete or its
//       "timeout" argument (seconds) runs out. Errors come back as caf::error
//       in category "mpactor" whose code is an error_code and whose context
//       holds the message.
//   (cancel_atom, uint64_t connection)    drop pending calls of a connection
//   (release_atom, uint64_t session)      release what a session held
//   (expire_atom, uint64_t ticket)        internal: a deferred call timed out
//
// A caller is (session, connection, thread): locks are owned by
// (session, thread), so ownership follows the calling process and thread,
// not the proxy object. An actor calling a managed object uses its own id as
// session and 0 as connection and thread.

#include <cstdint>
#include <string>

#include <caf/atom.hpp>
#include <caf/error.hpp>
#include <caf/meta/load_callback.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/none.hpp>

#include <mpactor/actors/error_code.hpp>
#include <mpactor/actors/json.hpp>

namespace mpactor {

using call_atom = caf::atom_constant<caf::atom("mpcall")>;
using cancel_atom = caf::atom_constant<caf::atom("mpcancel")>;
using release_atom = caf::atom_constant<caf::atom("mprelease")>;
using expire_atom = caf::atom_constant<caf::atom("mpexpire")>;

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

/// The error category of mpactor's caf::error values.
inline constexpr caf::atom_value error_category = caf::atom("mpactor");

/// A caf::error carrying `code` and `message`.
inline caf::error make_error(error_code code, std::string message) {
  return caf::error{static_cast<std::uint8_t>(code), error_category,
                    caf::make_message(std::move(message))};
}

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

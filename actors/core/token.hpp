#pragma once

// Token: what identifies a managed object (Python's Token): its type id,
// its id in the server, and the server's address.
//
// In a json value a token is a reference marker
// {"__mpactor_ref__": {"typeid": ..., "id": ..., "host": ..., "port": ...,
// "path": ...}}: that is how a proxy is stored inside a managed object and how
// a method returns a managed object. A marker with no address names an object
// of the server it is in; clients strip the address of markers they send to
// that same server and fill it in on markers they receive. The server counts
// its own markers that it stores or hands out as references, so the object
// stays alive while anything refers to it; markers of other servers are
// stored as plain values.

#include <cstdint>
#include <optional>
#include <string>

#include <mpactor/actors/core/address.hpp>
#include <mpactor/actors/core/json.hpp>

namespace mpactor {

struct Token {
  std::string type_id;
  std::uint64_t id = 0;
  Address address;

  /// The reference marker of this token.
  json to_marker() const {
    return {{"__mpactor_ref__",
             {{"typeid", type_id}, {"id", id}, {"host", address.host},
              {"port", address.port}, {"path", address.path}}}};
  }

  /// The token of a reference marker, or none if `value` is not one.
  static std::optional<Token> from_marker(const json& value) {
    if (!value.is_object() || value.size() != 1)
      return std::nullopt;
    auto it = value.find("__mpactor_ref__");
    if (it == value.end() || !it->is_object())
      return std::nullopt;
    Token t;
    t.type_id = it->value("typeid", std::string{});
    t.id = it->value("id", std::uint64_t{0});
    t.address.host = it->value("host", std::string{});
    t.address.port = it->value("port", std::uint16_t{0});
    t.address.path = it->value("path", std::string{});
    return t;
  }

  /// Whether the token names no server: an object of the one it is in.
  bool is_local() const { return address.host.empty() && address.path.empty(); }

  /// Whether `value` is a reference marker.
  static bool is_marker(const json& value) { return from_marker(value).has_value(); }
};

} // namespace mpactor

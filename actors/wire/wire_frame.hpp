#pragma once

// wire_frame: one message between a client and a manager's server.
//
// Layout (little-endian): u32 size of what follows | u8 kind | u64 request |
// u64 object | u8 method length | method | body (MessagePack of a json).
// A call names an object (0 is the manager itself) and a method; the server
// answers with a reply or an error carrying the same request number, or
// nothing for a notify. Pings are answered by pongs at once, even while a
// call is pending, which is how a client tells a frozen server from a slow one.
//
// Decoding validates everything: a frame over the size limit, a truncated
// frame, an unknown kind or a body that is not MessagePack (or nests deeper
// than max_depth) is a protocol_error, after which the connection is dropped.

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#include <mpactor/actors/core/json.hpp>

namespace mpactor {

enum class frame_kind : std::uint8_t {
  call = 1,   ///< request; expects reply or error
  reply = 2,  ///< body: the result
  error = 3,  ///< body: {"type": <error_code>, "message": <text>}
  notify = 4, ///< request without reply (decref)
  ping = 5,
  pong = 6,
};

/// A frame that breaks the protocol; the connection is dropped.
class protocol_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

struct wire_frame {
  frame_kind kind = frame_kind::call;
  std::uint64_t request = 0;
  std::uint64_t object = 0;
  std::string method;
  json body;

  /// Bytes of the fixed header after the size field.
  static constexpr std::size_t header_size = 1 + 8 + 8 + 1;

  /// Default limit of one frame's size.
  static constexpr std::size_t default_max_size = std::size_t{64} << 20;

  /// Deepest nesting of arrays and maps a body may have.
  static constexpr std::size_t max_depth = 256;

  /// Appends the encoded frame to `out`.
  void encode(std::string& out) const;

  /// Decodes the bytes after the size field (`size` of them).
  static wire_frame decode(const char* data, std::size_t size);
};

} // namespace mpactor

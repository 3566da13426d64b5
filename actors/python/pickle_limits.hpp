#pragma once

// pickle_limits: what one pickle from a peer may make the reader spend, and
// pickle_error, what the reader throws past a limit or on a bad pickle.
//
// Every resource a pickle can make the reader allocate or walk has a limit
// with a named default. A pickle past any of them is refused with a
// pickle_error naming the limit; the reader's memory stays within about
// max_size plus max_values times a node's size (~64 bytes), whatever the
// pickle announces. pickle_error is a protocol_error: a server that reads a
// pickle from a connection drops the connection on it.

#include <cstddef>
#include <string>

#include <mpactor/actors/wire/wire_frame.hpp>

namespace mpactor::python {

/// A pickle that is malformed, refused (a global outside the table, a cycle)
/// or over a limit. The message says which.
class pickle_error : public protocol_error {
public:
  using protocol_error::protocol_error;
};

struct pickle_limits {
  /// Bytes of one pickle (the wire's frame limit: 64 MiB).
  static constexpr std::size_t default_max_size = std::size_t{64} << 20;
  /// Memo entries (MEMOIZE/PUT); CPython memoizes about one per value.
  static constexpr std::size_t default_max_memo = std::size_t{1} << 22;
  /// Bytes of one int (LONG1/LONG4): 4096 bytes are about 9,900 digits.
  static constexpr std::size_t default_max_int_bytes = 4096;
  /// Nesting of containers in the value, and open MARKs.
  static constexpr std::size_t default_max_depth = 256;
  /// Items of one list, tuple, dict (pairs), set or frozenset.
  static constexpr std::size_t default_max_items = std::size_t{1} << 22;
  /// Values the reader makes while reading, and again values in the result
  /// (one memo entry used twice is two values there).
  static constexpr std::size_t default_max_values = std::size_t{1} << 23;

  std::size_t max_size = default_max_size;
  std::size_t max_memo = default_max_memo;
  std::size_t max_int_bytes = default_max_int_bytes;
  std::size_t max_depth = default_max_depth;
  std::size_t max_items = default_max_items;
  std::size_t max_values = default_max_values;
};

} // namespace mpactor::python

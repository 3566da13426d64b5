#pragma once

// flat_pickle_reader: the one-pass reader of pickle_reader for flat values,
// the shape of almost every manager request: ('7f..', '__setitem__',
// ('k3', 5), {}).
//
// The graph reader (pickle_reader.cpp) builds a node per value so that memo
// entries can be shared, then turns the graph into json: on such a request
// most of its work. A pickle that never fetches from the memo needs no graph:
// this reader builds the json on its stack as the opcodes come. It knows the
// scalars (None, bools, ints within 64 bits, floats, str, bytes), tuples,
// lists and the empty dict, and MEMOIZE; on anything else (a memo fetch, a
// global, a set, a non-empty dict, ...), on any malformed input and near any
// limit it gives up, and the graph reader reads the pickle from the start
// and decides (it also refuses what is wrong). So what it accepts it reads
// exactly as the graph reader would, and it refuses nothing itself.

#include <optional>
#include <string_view>

#include <mpactor/actors/core/json.hpp>
#include <mpactor/actors/python/pickle_limits.hpp>

namespace mpactor::python {

class flat_pickle_reader {
public:
  explicit flat_pickle_reader(const pickle_limits& limits) : limits_(limits) {
    // nop
  }

  static constexpr std::size_t no_item = static_cast<std::size_t>(-1);

  /// What a read found.
  struct result {
    json value;           ///< the value, unless it is a tuple
    json::array_t items;  ///< a tuple's items (then `value` is null)
    bool tuple = false;
  };

  /// The value of `pickle`; none if this reader gives up on it. If the
  /// value is a tuple whose item `untagged` is a tuple too, that item comes
  /// as the array of its items (a manager request's args).
  std::optional<result> read(std::string_view pickle, std::size_t untagged = no_item) const;

private:
  const pickle_limits& limits_;
};

} // namespace mpactor::python

#pragma once

// pickle_writer: writes an mpactor::json, in the forms of python_value.hpp,
// as a pickle that CPython 3.8 and later load back to the same value.
//
// It writes protocol 4 (what CPython 3.8-3.13 use on the manager wire, and
// what every version from 3.4 reads) without FRAME opcodes and without a
// memo: a json value is a tree, so nothing is shared. bytearray goes as
// builtins.bytearray(bytes) rather than protocol 5's BYTEARRAY8. A plain
// object is a dict with str keys; "__mpactor_ref__" markers are written as
// such dicts (translating them to proxies is the caller's business). Values
// the table does not describe (a malformed tag, a big int that is not a
// decimal text, an unhashable dict key, an unknown exception class) and
// values nested deeper than max_depth are refused with a TypeError or
// ValueError naming the value.

#include <cstddef>
#include <string>
#include <string_view>

#include <mpactor/actors/core/json.hpp>
#include <mpactor/actors/python/pickle_limits.hpp>

namespace mpactor::python {

class pickle_writer {
public:
  /// The protocol of the pickles this writer makes.
  static constexpr int protocol = 4;

  /// A writer refusing values nested deeper than `max_depth`.
  explicit pickle_writer(std::size_t max_depth = pickle_limits::default_max_depth)
    : max_depth_(max_depth) {
    // nop
  }

  /// The pickle of `value`.
  std::string write(const json& value) const;

  /// Appends the pickle of `value` to `out` (which is unchanged on error).
  void write(const json& value, std::string& out) const;

  /// Appends the pickle of the 2-tuple (first, second), the same bytes as
  /// write(py_tuple(first, second)), without building that tuple (a
  /// manager's reply, ("#RETURN", result), is not copied). `out` is
  /// unchanged on error.
  void write_pair(std::string_view first, const json& second, std::string& out) const;

private:
  std::size_t max_depth_;
};

} // namespace mpactor::python

#pragma once

// pickle_reader: reads one pickle that a Python peer sent into an
// mpactor::json, in the forms of python_value.hpp.
//
// It reads protocols 2 to 5 as CPython writes them for the values of
// python_value.hpp, and the opcodes multiprocessing.managers puts on the wire.
// It never imports, calls or evaluates anything: a global names one entry of
// a fixed table (bytearray, set, frozenset, slice, range, list, bytes and
// _codecs.encode as protocol 2 writes bytes; the Token, RebuildProxy and proxy
// classes of multiprocessing.managers; a list of exception classes), and
// what REDUCE, NEWOBJ and BUILD may do with it is fixed too. Any other global
// (os.system, builtins.eval, a __main__ class) is refused by name.
//
// A flat pickle (no memo fetch, no global: a manager request) is read in one
// pass (flat_pickle_reader.hpp). Any other is read in two steps: the opcodes
// build a graph of values (memo entries are shared, as in Python), then the
// graph becomes a json tree. A value that contains itself is refused there;
// every limit of pickle_limits is checked as it is reached, so a hostile
// pickle costs bounded time and memory. Any
// failure is a pickle_error whose message names the cause. A reader holds
// only its limits: one may be used from any number of threads.

#include <optional>
#include <string_view>

#include <mpactor/actors/core/json.hpp>
#include <mpactor/actors/python/flat_pickle_reader.hpp>
#include <mpactor/actors/python/pickle_limits.hpp>

namespace mpactor::python {

class pickle_reader {
public:
  /// A reader with the given limits.
  explicit pickle_reader(pickle_limits limits = {}) : limits_(limits) {
    // nop
  }

  /// A reader that never takes the one-pass path for flat values
  /// (flat_pickle_reader.hpp): what tests compare that path with.
  static pickle_reader graph_only(pickle_limits limits = {}) {
    pickle_reader out{limits};
    out.flat_first_ = false;
    return out;
  }

  /// The limits this reader applies.
  const pickle_limits& limits() const noexcept {
    return limits_;
  }

  /// The value of one complete pickle (nothing may follow its STOP);
  /// pickle_error if it is malformed, refused or over a limit.
  json read(std::string_view pickle) const;

  /// No item of read_tuple() comes untagged.
  static constexpr std::size_t no_item = flat_pickle_reader::no_item;

  /// The items of a pickled tuple, each as read() gives it inside the tuple
  /// (a manager request's ident, method, args and kwds, without tagging the
  /// tuple that holds them), except that item `untagged`, if it is a tuple,
  /// comes as the array of its items (read_tuple(request, 2): the args);
  /// none if the pickle is another value. Refuses what read() refuses, with
  /// the same limits.
  std::optional<json::array_t> read_tuple(std::string_view pickle,
                                          std::size_t untagged = no_item) const;

private:
  pickle_limits limits_;
  bool flat_first_ = true;
};

} // namespace mpactor::python

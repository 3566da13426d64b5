#pragma once

// python_globals: the fixed table of Python names a pickle may use.
//
// A pickle names classes and functions ("globals") that its reader is to
// import and call. mpactor imports nothing: a global is looked up in this
// table, and its role says the one thing the pickle reader may do with it
// (build a bytearray, a set, a Token, a proxy, an exception value...). A name
// that is not in the table is refused. The writer uses the same table, so it
// only names what a Python peer has.

#include <cstdint>
#include <string>

namespace mpactor::python {

/// One allowed global and what it is for.
struct python_global {
  enum class role : std::uint8_t {
    bytearray_class, ///< builtins.bytearray(bytes)
    bytes_class,     ///< builtins.bytes(): protocol 2's empty bytes
    codecs_encode,   ///< _codecs.encode(text, 'latin1'): protocol 2's bytes
    set_class,       ///< builtins.set(list)
    frozenset_class, ///< builtins.frozenset(list)
    list_class,      ///< builtins.list(iterable)
    slice_class,     ///< builtins.slice(start, stop, step)
    range_class,     ///< builtins.range(start, stop, step)
    token_class,     ///< multiprocessing.managers.Token (NEWOBJ, BUILD)
    rebuild_proxy,   ///< multiprocessing.managers.RebuildProxy(cls, token, 'pickle', kwds)
    proxy_class,     ///< a proxy class of multiprocessing.managers
    exception_class, ///< an exception class: REDUCE(cls, args) makes a value
  };

  const char* module;
  const char* name;
  role what;
};

/// The entry of `module`.`name`, or nullptr if the name is not allowed.
/// Python 2's module names that protocol 2 writes (__builtin__, exceptions)
/// are read as builtins, and its xrange as range.
const python_global* find_python_global(const std::string& module, const std::string& name);

} // namespace mpactor::python

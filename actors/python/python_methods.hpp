#pragma once

// python_methods: what a Python proxy's method call means for mpactor's
// managed objects, and what their answers mean for the Python client.
//
// A Python client calls a SyncManager object by its Python method name with
// positional and keyword arguments (DictProxy's `__getitem__('a')`, a Queue's
// `get(True, 0.5)`). map_call() turns that into the native method and json
// arguments of the object's type (actors/objects: dict `get {key}`, queue
// `get {block, timeout}`), with a note of how the native result becomes
// Python's (a list of pairs becomes a list of tuples, a dict's items become a
// dict) and which Python exception an error becomes (KeyError with the key
// the client sent, _queue.Empty, RuntimeError for releasing an unheld lock).
// map_create() does the same for a create call's type id and arguments.
// Everything here is json to json, in the value model of python_value.hpp:
// no I/O, no objects; the server runs the calls.

#include <cstdint>
#include <string>
#include <vector>

#include <mpactor/actors/core/error_code.hpp>
#include <mpactor/actors/core/json.hpp>

namespace mpactor::python {

/// How a native result becomes the Python result.
enum class result_shape {
  value,    ///< as it is
  none,     ///< None
  pairs,    ///< [[k, v], ...] -> [(k, v), ...]
  pair,     ///< [k, v] -> (k, v)
  dict,     ///< [[k, v], ...] -> {k: v}
  iterator, ///< the items of a new Iterator proxy (dict keys, list copy)
  slice,    ///< a slice of the list copy (`arg` holds the slice)
  contains, ///< whether the list copy holds `arg`
  repr,     ///< repr() of the value (`arg` holds the kind: dict, list, Namespace...)
  len,      ///< the size of the copy
  concat,   ///< the list copy + `arg` (a list)
  repeat,   ///< the list copy * `arg` (an int)
};

/// One Python call as a native call.
struct native_call {
  std::string method;                      ///< native method
  json args;                               ///< native arguments (map_call sets them)
  result_shape shape = result_shape::value;
  json arg;                                ///< what the shape or the error needs (the key)
  std::string python_method;               ///< for messages
  std::string type;                        ///< native type id
  std::uint64_t object = 0;                ///< the called object (the caller sets it)
};

/// A create call as a native one.
struct native_create {
  std::string type_id; ///< native type id
  json args = json::object();
};

/// The native type id and arguments of Python's `create(typeid, *args,
/// **kwds)`. Type ids the SyncManager does not know go as they are, with
/// {"args": args, "kwds": kwds}. TypeError or ValueError for arguments
/// mpactor cannot take (a Barrier action, a Condition's own lock).
native_create map_create(const std::string& python_typeid, const json& args, const json& kwds);

/// The methods a Python proxy of `python_typeid` may call (the exposed
/// tuple of Python's registry; for a native type id, its Python twin's).
std::vector<std::string> exposed_methods(const std::string& python_typeid);

/// The Python proxy class that goes with a native type id for a value sent
/// back as a proxy ("DictProxy", "AutoProxy"...).
std::string proxy_class(const std::string& native_type);

/// Python's call `method(*args, **kwds)` on an object of native type
/// `native_type` (`#GETVALUE` too). AttributeError as Python's server
/// raises it for a method that is not exposed; TypeError for bad arguments.
native_call map_call(const std::string& native_type, const std::string& method, const json& args,
                     const json& kwds);

/// The Python result of `call` from the native `result`. TypeError/
/// IndexError as Python raises them (a bad slice).
json map_result(const native_call& call, json result);

/// The Python exception (a tagged exception value) of a native error.
json map_error(const native_call& call, error_code code, const std::string& message);

/// The text of a '#TRACEBACK' reply for a C++ exception that is none of
/// mpactor's (a std::exception thrown by a register_type'd method): Python's
/// client raises it as RemoteError, as for a traceback from Python's server.
std::string traceback_of(const native_call& call, const std::string& message);

/// An exception value from a C++ exception thrown while mapping.
json exception_of(const std::exception& e);

/// repr() of a value, as Python prints it.
std::string py_repr(const json& value);

} // namespace mpactor::python

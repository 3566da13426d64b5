#pragma once

// python_value: how a Python value is held in an mpactor::json, so that what
// a Python client sends comes back to it as it went, and a C++ client can
// read and make the same values.
//
// Values json holds as they are:
//
//   Python                     json
//   None, True, False          null, true, false
//   int in 64 bits             integer (number_integer; 2**63..2**64-1 as
//                              number_unsigned)
//   float                      float (number_float; nan, inf and -0.0 kept)
//   str                        string (UTF-8 bytes; a lone surrogate, which
//                              Python allows, stays as its 3-byte form)
//   bytes                      binary (json::binary, no subtype)
//   list                       array
//   dict, all keys str         object (unless a key is "__py__" or
//                              "__mpactor_ref__": then tagged, below)
//
// Everything else is tagged: an object of exactly two members,
// {"__py__": <kind>, "v": <payload>}:
//
//   kind          payload
//   "int"         decimal text of an int beyond 64 bits ("-1180591620717411303424")
//   "tuple"       array of the items
//   "dict"        array of [key, value] pairs (a dict with a non-str key)
//   "set"         array of the items
//   "frozenset"   array of the items
//   "bytearray"   binary
//   "slice"       [start, stop, step]
//   "range"       [start, stop, step]
//   "token"       {"typeid": str, "address": value, "id": str}
//                 (multiprocessing.managers.Token)
//   "proxy"       {"proxytype": "DictProxy", "token": <token>, "exposed": value}
//                 (a proxy sent as a value: RebuildProxy(...); exposed is null
//                 unless the proxy type is AutoProxy)
//   "exception"   {"type": "builtins.KeyError", "args": [...]} (and "state"
//                 when the exception carried a __dict__)
//
// The make_* helpers below build the canonical form: an int that fits 64
// bits is never tagged, dict keys and set items are unique by Python's key
// identity (python_key), and a dict is an object exactly when it can be.
// The pickle reader produces canonical forms; the writer accepts any form the
// table describes.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <mpactor/actors/core/json.hpp>

namespace mpactor::python {

/// The member naming a tagged value's kind.
inline constexpr const char* tag_key = "__py__";

/// The member holding a tagged value's payload.
inline constexpr const char* payload_key = "v";

/// The kind of a tagged value ("tuple", "set", ...), or "" when `value` is
/// not tagged (a plain json value, or an object that only resembles a tag).
std::string_view py_kind(const json& value);

/// Whether `value` is tagged with `kind`.
bool is_py(const json& value, std::string_view kind);

/// The payload of a tagged value; `value` itself when it is not tagged.
const json& py_payload(const json& value);

/// An int from its decimal text: a json integer when it fits 64 bits, else
/// tagged. ValueError if `decimal` is not an integer's text.
json py_int(std::string_view decimal);

/// Python bytes: a json binary.
json py_bytes(std::string_view bytes);
json py_bytes(std::vector<std::uint8_t> bytes);

/// Python bytearray.
json py_bytearray(std::string_view bytes);
json py_bytearray(std::vector<std::uint8_t> bytes);

/// A tuple of the given items: py_tuple(1, "a") is (1, 'a').
template <class... Ts>
json py_tuple(Ts&&... items);

/// A tuple of the items of an array.
json py_tuple_of(json::array_t items);

/// A dict from its (key, value) pairs, in order; a repeated key (by
/// python_key) keeps its first position and takes its last value, as
/// Python's dict does. TypeError for an unhashable key.
json py_dict(std::vector<std::pair<json, json>> items);

/// A set and a frozenset of the given items; repeats (by python_key) are
/// dropped. TypeError for an unhashable item.
json py_set(json::array_t items);
json py_frozenset(json::array_t items);

/// slice(start, stop, step) and range(start, stop, step).
json py_slice(json start, json stop, json step);
json py_range(json start, json stop, json step);

/// multiprocessing.managers.Token(typeid, address, id).
json py_token(json typeid_, json address, json id);

/// A proxy as a value (what RebuildProxy rebuilds): its proxy class name in
/// multiprocessing.managers, its token, and the exposed methods (null unless
/// AutoProxy).
json py_proxy(std::string proxytype, json token, json exposed = nullptr);

/// An exception: its class as "module.Name" and its args.
json py_exception(std::string type, json::array_t args);

/// The items of a dict, whichever form it has, as (key, value) pairs.
std::vector<std::pair<json, json>> py_dict_items(const json& dict);

/// Whether `value` is a Python dict (an object that is not a tag, or a
/// tagged dict).
bool is_py_dict(const json& value);

/// Python's identity of `key` as a dict key or set item: values Python
/// finds equal give equal strings (1, 1.0, True and an int tagged "1"; 0
/// and -0.0; (1,) and (1.0,); frozensets in any order) and others give
/// different ones (str and bytes differ). All nans are one key here (Python
/// tells nan objects apart by identity). TypeError, as Python's "unhashable
/// type", for a list, dict, set, bytearray or any tag but int, tuple and
/// frozenset.
std::string python_key(const json& key);

/// The Python type name of a value ("int", "tuple", "bytes", ...).
std::string python_type_name(const json& value);

// -- implementation -----------------------------------------------------------

json make_tagged(std::string_view kind, json payload);

template <class... Ts>
json py_tuple(Ts&&... items) {
  json::array_t array;
  array.reserve(sizeof...(Ts));
  (array.emplace_back(json(std::forward<Ts>(items))), ...);
  return py_tuple_of(std::move(array));
}

} // namespace mpactor::python

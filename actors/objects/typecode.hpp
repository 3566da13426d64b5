#pragma once

// typecode: a managed Value's or Array's element type, as Python's
// multiprocessing names it ('i' int, 'd' double, ... see shm/typecodes.hpp),
// and the check and conversion Python's ctypes apply to a stored value.
//
// Integer codes (b B h H i I l L q Q) take ints and bools and wrap them to
// the C type's width, as ctypes does (c_byte(300) is 44); a float, str or
// list is a TypeError. 'f' and 'd' take numbers and store floats ('f' at
// float precision). 'c' and 'u' take a one-character str. No typecode (0)
// means untyped: any value, as before typecodes.

#include <cstdint>
#include <string>

#include <mpactor/actors/core/json.hpp>
#include <mpactor/shm/error.hpp>

namespace mpactor {

/// Whether `code` is one of Python's array typecodes that mpactor knows.
inline bool known_typecode(char code) {
  return std::string{"cbBuhHiIlLqQfd"}.find(code) != std::string::npos && code != 0;
}

/// `value` checked and converted as storing it in a ctypes object of
/// `code` would; TypeError if it does not fit. Code 0 passes it unchanged.
inline json typed_value(char code, const json& value) {
  if (code == 0)
    return value;
  auto refuse = [&](const char* expected) -> json {
    throw TypeError(std::string{"typecode '"} + code + "' expects " + expected + ", got "
                    + json_type_name(value) + " (" + python_repr(value) + ")");
  };
  auto as_int = [&]() -> long long {
    if (value.is_boolean())
      return value.get<bool>() ? 1 : 0;
    if (value.is_number_unsigned())
      return static_cast<long long>(value.get<unsigned long long>());
    if (!value.is_number_integer())
      refuse("int");
    return value.get<long long>();
  };
  switch (code) {
    case 'b': return static_cast<std::int8_t>(as_int());
    case 'B': return static_cast<std::uint8_t>(as_int());
    case 'h': return static_cast<std::int16_t>(as_int());
    case 'H': return static_cast<std::uint16_t>(as_int());
    case 'i': return static_cast<std::int32_t>(as_int());
    case 'I': return static_cast<std::uint32_t>(as_int());
    case 'l':
    case 'q': return static_cast<std::int64_t>(as_int());
    case 'L':
    case 'Q': return static_cast<std::uint64_t>(as_int());
    case 'f':
    case 'd':
      if (!value.is_number() && !value.is_boolean())
        return refuse("float");
      {
        double x = value.is_boolean() ? (value.get<bool>() ? 1.0 : 0.0) : value.get<double>();
        return code == 'f' ? static_cast<double>(static_cast<float>(x)) : x;
      }
    case 'c':
    case 'u':
      if (!value.is_string() || value.get_ref<const std::string&>().size() != 1)
        return refuse("a one-character str");
      return value;
    default:
      throw ValueError(std::string{"unknown typecode '"} + code
                       + "' (known: c b B u h H i I l L q Q f d)");
  }
}

/// The typecode in a create call's arguments ("typecode": "i"), or 0.
inline char typecode_arg(const json& args) {
  auto it = args.find("typecode");
  if (it == args.end() || it->is_null())
    return 0;
  if (!it->is_string() || it->get_ref<const std::string&>().size() != 1
      || !known_typecode(it->get_ref<const std::string&>()[0]))
    throw ValueError("unknown typecode " + python_repr(*it)
                     + " (known: c b B u h H i I l L q Q f d)");
  return it->get_ref<const std::string&>()[0];
}

/// The zero of typecode `code` ('c', 'u': "\0"; 'f', 'd': 0.0; else 0).
inline json typed_zero(char code) {
  if (code == 'c' || code == 'u')
    return std::string(1, '\0');
  if (code == 'f' || code == 'd')
    return 0.0;
  return 0;
}

} // namespace mpactor

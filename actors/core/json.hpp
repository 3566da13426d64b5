#pragma once

// json: the value currency of managed objects.
//
// Everything stored in a managed object is an mpactor::json
// (nlohmann::json). User types go in and out through their
// to_json/from_json functions, as nlohmann defines them. A proxy stored in a
// managed object travels as a reference marker (see Token in token.hpp and
// BaseProxy's to_json in base_proxy.hpp), so it stays a live reference to the
// same object.
//
// python_repr() prints a value as Python prints the equivalent object
// (`[1, 'x']`, `{'a': None}`, `8.0`), so examples show what the tutorial shows.

#include <string>
#include <typeinfo>

#include <nlohmann/json.hpp>

#include <mpactor/shm/error.hpp>

namespace mpactor {

using json = nlohmann::json;

/// A value printed as Python's repr() prints the equivalent object.
std::string python_repr(const json& value);

/// The name of a json value's type, as error messages use it ("int",
/// "float", "str", "bool", "None", "list", "dict", "proxy").
std::string json_type_name(const json& value);

/// The C++ name of a type as its source spells it ("Config",
/// "std::runtime_error"), not as typeid mangles it ("6Config").
std::string demangled_name(const std::type_info& type);

/// The Python name of the json type a C++ type converts from.
template <class T>
std::string expected_type_name() {
  if constexpr (std::is_same_v<T, bool>) return "bool";
  else if constexpr (std::is_integral_v<T>) return "int";
  else if constexpr (std::is_floating_point_v<T>) return "float";
  else if constexpr (std::is_convertible_v<T, std::string>) return "str";
  else return demangled_name(typeid(T));
}

/// Converts `value` to T; TypeError naming the expected and the actual type
/// when it does not fit (an int is not a str, a float is not an int).
template <class T>
T json_as(const json& value) {
  if constexpr (std::is_same_v<T, json>) {
    return value;
  } else {
    bool ok = true;
    if constexpr (std::is_same_v<T, bool>)
      ok = value.is_boolean();
    else if constexpr (std::is_integral_v<T>)
      ok = value.is_number_integer();
    else if constexpr (std::is_floating_point_v<T>)
      ok = value.is_number();
    else if constexpr (std::is_convertible_v<T, std::string>)
      ok = value.is_string();
    if (ok) {
      try {
        return value.get<T>();
      } catch (const nlohmann::json::exception& e) {
        throw TypeError("expected " + expected_type_name<T>() + ", got "
                        + json_type_name(value) + ": " + e.what());
      }
    }
    throw TypeError("expected " + expected_type_name<T>() + ", got "
                    + json_type_name(value) + " (" + python_repr(value) + ")");
  }
}

} // namespace mpactor

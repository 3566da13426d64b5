#pragma once

// The values of the pickle tests, in their C++ forms (python_value.hpp):
// each is the twin of the Python value of the same name in pickle_values.py.
// Also same(), a comparison stricter than json's == (1, 1.0 and true differ,
// -0.0 is not 0.0, bytes compare as bytes) that compares sets in any order.

#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include <mpactor/actors/python/python_value.hpp>

namespace mpactor::python::testing {

inline std::vector<std::pair<std::string, json>> pickle_values() {
  auto list = json::array({1, 2.5, "three", py_bytes("four"), py_tuple(5, nullptr, true)});
  json long_list = json::array();
  for (int i = 0; i < 1500; ++i)
    long_list.push_back(i);
  auto token = py_token("dict", py_tuple("127.0.0.1", 50102), "7f0b74f20a00");
  return {
    {"none", nullptr},
    {"true", true},
    {"false", false},
    {"int_small", 5},
    {"int_zero", 0},
    {"int_neg", -1},
    {"int_300", 300},
    {"int_70000", 70000},
    {"int_below_i32", std::int64_t{-2147483649}},
    {"int_2_40", std::int64_t{1} << 40},
    {"int64_max", std::numeric_limits<std::int64_t>::max()},
    {"int64_min", std::numeric_limits<std::int64_t>::min()},
    {"uint64_max", std::numeric_limits<std::uint64_t>::max()},
    {"big_pos", py_int("1180591620717411303424")},
    {"big_neg", py_int("-1180591620717411303425")},
    {"googol", py_int("1" + std::string(100, '0'))},
    {"float", 2.5},
    {"float_neg_zero", -0.0},
    {"float_inf", std::numeric_limits<double>::infinity()},
    {"float_tiny", std::numeric_limits<double>::denorm_min()},
    {"str", "three"},
    {"str_empty", ""},
    {"str_unicode", "h\xc3\xa9llo \xe2\x9c\x93 \xf0\x9f\x98\x80"},
    {"str_long", std::string(300, 'x')},
    {"bytes", py_bytes("four")},
    {"bytes_empty", py_bytes("")},
    {"bytes_high", py_bytes(std::string("\x00\xff\x80", 3))},
    {"bytes_long", py_bytes(std::string(300, 'y'))},
    {"bytearray", py_bytearray("xy")},
    {"bytearray_empty", py_bytearray("")},
    {"tuple_empty", py_tuple()},
    {"tuple1", py_tuple(1)},
    {"tuple3", py_tuple(5, nullptr, true)},
    {"tuple5", py_tuple(1, 2, 3, 4, 5)},
    {"list", list},
    {"list_empty", json::array()},
    {"list_long", long_list},
    {"dict", json{{"x", json::array({1, 2})}}},
    {"dict_empty", json::object()},
    {"dict_int_keys", py_dict({{1, "a"}, {2, "b"}})},
    {"dict_mixed_keys", py_dict({{"a", 1},
                                 {2, "b"},
                                 {py_tuple(1, "t"), nullptr},
                                 {py_bytes("k"), 1.5},
                                 {nullptr, 0},
                                 {2.5, "f"}})},
    {"dict_nested", json{{"outer", py_dict({{3, py_dict({{4, 5}})}})}}},
    {"dict_tag_key", py_dict({{"__py__", "x"}, {"v", 1}})},
    {"set", py_set({1, 2, 3})},
    {"set_empty", py_set({})},
    {"frozenset", py_frozenset({"a"})},
    {"frozenset_empty", py_frozenset({})},
    {"set_of_tuples", py_set({py_tuple(1, 2), py_frozenset({3})})},
    {"shared", json::array({json::array({1, 2}), json::array({1, 2})})},
    {"slice", py_slice(1, 10, 2)},
    {"range", py_range(0, 10, 3)},
    {"token", token},
    {"key_error", py_exception("builtins.KeyError", {"missing"})},
    {"queue_empty", py_exception("_queue.Empty", {})},
    {"request", py_tuple("7f0b74f21250", "put", py_tuple(json{{"x", list}}),
                         json{{"timeout", 0.1}})},
    {"proxy", py_proxy("DictProxy", token)},
  };
}

/// Whether `a` and `b` are the same Python value, strictly.
inline bool same(const json& a, const json& b) {
  if (a.type() != b.type())
    return false;
  switch (a.type()) {
    case json::value_t::number_float: {
      double x = a.get<double>(), y = b.get<double>();
      return std::memcmp(&x, &y, sizeof x) == 0;
    }
    case json::value_t::binary:
      return a.get_binary() == b.get_binary()
             && a.get_binary().has_subtype() == b.get_binary().has_subtype();
    case json::value_t::array: {
      if (a.size() != b.size())
        return false;
      for (std::size_t i = 0; i < a.size(); ++i)
        if (!same(a[i], b[i]))
          return false;
      return true;
    }
    case json::value_t::object: {
      if (a.size() != b.size())
        return false;
      auto kind = py_kind(a);
      if ((kind == "set" || kind == "frozenset") && py_kind(b) == kind) {
        const auto& x = a.at(payload_key);
        const auto& y = b.at(payload_key);
        if (x.size() != y.size())
          return false;
        for (const auto& item : x) {
          bool found = false;
          for (const auto& other : y)
            found = found || same(item, other);
          if (!found)
            return false;
        }
        return true;
      }
      for (const auto& [key, value] : a.items())
        if (!b.contains(key) || !same(value, b.at(key)))
          return false;
      return true;
    }
    default:
      return a == b;
  }
}

} // namespace mpactor::python::testing

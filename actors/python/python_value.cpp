#include <mpactor/actors/python/python_value.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <unordered_map>
#include <unordered_set>

#include <mpactor/actors/python/python_int.hpp>

namespace mpactor::python {

namespace {

constexpr std::string_view tag_name{tag_key}, payload_name{payload_key};

constexpr std::string_view kinds[] = {"int",   "tuple", "dict",  "set",   "frozenset", "bytearray",
                                      "slice", "range", "token", "proxy", "exception"};

json::binary_t to_binary(std::string_view bytes) {
  return json::binary_t{std::vector<std::uint8_t>(bytes.begin(), bytes.end())};
}

// A key prefixed with its length, so that keys concatenate unambiguously.
void append_framed(std::string& out, const std::string& key) {
  out += std::to_string(key.size());
  out += ':';
  out += key;
}

std::string float_key(double x) {
  if (std::isnan(x))
    return "fnan";
  if (auto decimal = decimal_from_integral_double(x))
    return "i" + *decimal; // 1.0 is 1, -0.0 is 0
  std::uint64_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  char buf[24];
  std::snprintf(buf, sizeof buf, "f%016llx", static_cast<unsigned long long>(bits));
  return buf;
}

json::array_t unique_items(json::array_t items) {
  std::unordered_set<std::string> seen;
  json::array_t out;
  out.reserve(items.size());
  for (auto& item : items)
    if (seen.insert(python_key(item)).second)
      out.push_back(std::move(item));
  return out;
}

} // namespace

// Tagged values are on every Python call's path (a request is a tuple):
// they are built and recognised by the object's two members in key order
// ("__py__" sorts before "v"), not by lookups.
json make_tagged(std::string_view kind, json payload) {
  json::object_t members;
  members.emplace_hint(members.end(), tag_key, std::string{kind});
  members.emplace_hint(members.end(), payload_key, std::move(payload));
  return json(std::move(members));
}

namespace {

// The payload member of a tagged value with its kind, or null.
const json* tagged_payload(const json& value, std::string_view& kind) {
  if (!value.is_object())
    return nullptr;
  const auto& members = value.get_ref<const json::object_t&>();
  if (members.size() != 2)
    return nullptr;
  auto tag = members.begin();
  auto payload = std::next(tag);
  if (tag->first != tag_name || payload->first != payload_name || !tag->second.is_string())
    return nullptr;
  std::string_view name = tag->second.get_ref<const std::string&>();
  for (auto k : kinds)
    if (k == name) {
      kind = k;
      return &payload->second;
    }
  return nullptr;
}

} // namespace

std::string_view py_kind(const json& value) {
  std::string_view kind;
  tagged_payload(value, kind);
  return kind;
}

bool is_py(const json& value, std::string_view kind) {
  return !kind.empty() && py_kind(value) == kind;
}

const json& py_payload(const json& value) {
  std::string_view kind;
  auto* payload = tagged_payload(value, kind);
  return payload != nullptr ? *payload : value;
}

json py_int(std::string_view decimal) {
  auto canonical = canonical_decimal(decimal);
  if (!canonical)
    throw ValueError("not an integer's decimal text: '" + std::string{decimal} + "'");
  const auto& text = *canonical;
  // Within 64 bits: a json integer. 20 digits or more may still fit unsigned.
  if (text.size() <= 20) {
    errno = 0;
    if (text.front() == '-') {
      char* end = nullptr;
      long long v = std::strtoll(text.c_str(), &end, 10);
      if (errno == 0)
        return static_cast<std::int64_t>(v);
    } else {
      char* end = nullptr;
      unsigned long long v = std::strtoull(text.c_str(), &end, 10);
      if (errno == 0) {
        if (v <= static_cast<unsigned long long>(std::numeric_limits<std::int64_t>::max()))
          return static_cast<std::int64_t>(v);
        return static_cast<std::uint64_t>(v);
      }
    }
  }
  return make_tagged("int", text);
}

json py_bytes(std::string_view bytes) {
  return json::binary(std::vector<std::uint8_t>(bytes.begin(), bytes.end()));
}

json py_bytes(std::vector<std::uint8_t> bytes) {
  return json::binary(std::move(bytes));
}

json py_bytearray(std::string_view bytes) {
  return make_tagged("bytearray", json(to_binary(bytes)));
}

json py_bytearray(std::vector<std::uint8_t> bytes) {
  return make_tagged("bytearray", json::binary(std::move(bytes)));
}

json py_tuple_of(json::array_t items) {
  return make_tagged("tuple", json(std::move(items)));
}

json py_dict(std::vector<std::pair<json, json>> items) {
  // Unique keys: the first key's position, the last value.
  std::vector<std::pair<json, json>> unique;
  unique.reserve(items.size());
  {
    std::unordered_map<std::string, std::size_t> index;
    for (auto& [key, value] : items) {
      auto [at, fresh] = index.emplace(python_key(key), unique.size());
      if (fresh)
        unique.emplace_back(std::move(key), std::move(value));
      else
        unique[at->second].second = std::move(value);
    }
  }
  bool as_object = std::all_of(unique.begin(), unique.end(), [](const auto& item) {
    return item.first.is_string() && item.first != tag_key && item.first != "__mpactor_ref__";
  });
  if (as_object) {
    json out = json::object();
    for (auto& [key, value] : unique)
      out[key.get_ref<const std::string&>()] = std::move(value);
    return out;
  }
  json::array_t pairs;
  pairs.reserve(unique.size());
  for (auto& [key, value] : unique)
    pairs.push_back(json::array({std::move(key), std::move(value)}));
  return make_tagged("dict", json(std::move(pairs)));
}

json py_set(json::array_t items) {
  return make_tagged("set", json(unique_items(std::move(items))));
}

json py_frozenset(json::array_t items) {
  return make_tagged("frozenset", json(unique_items(std::move(items))));
}

json py_slice(json start, json stop, json step) {
  return make_tagged("slice", json::array({std::move(start), std::move(stop), std::move(step)}));
}

json py_range(json start, json stop, json step) {
  return make_tagged("range", json::array({std::move(start), std::move(stop), std::move(step)}));
}

json py_token(json typeid_, json address, json id) {
  json state = json::object();
  state["typeid"] = std::move(typeid_);
  state["address"] = std::move(address);
  state["id"] = std::move(id);
  return make_tagged("token", std::move(state));
}

json py_proxy(std::string proxytype, json token, json exposed) {
  json state = json::object();
  state["proxytype"] = std::move(proxytype);
  state["token"] = std::move(token);
  state["exposed"] = std::move(exposed);
  return make_tagged("proxy", std::move(state));
}

json py_exception(std::string type, json::array_t args) {
  json state = json::object();
  state["type"] = std::move(type);
  state["args"] = std::move(args);
  return make_tagged("exception", std::move(state));
}

bool is_py_dict(const json& value) {
  return (value.is_object() && py_kind(value).empty()) || is_py(value, "dict");
}

std::vector<std::pair<json, json>> py_dict_items(const json& dict) {
  std::vector<std::pair<json, json>> out;
  if (is_py(dict, "dict")) {
    for (const auto& pair : dict.at(payload_key)) {
      if (!pair.is_array() || pair.size() != 2)
        throw TypeError("a tagged dict's item is not a [key, value] pair");
      out.emplace_back(pair[0], pair[1]);
    }
  } else if (dict.is_object()) {
    for (const auto& [key, value] : dict.items())
      out.emplace_back(key, value);
  } else {
    throw TypeError("expected dict, got " + python_type_name(dict));
  }
  return out;
}

std::string python_key(const json& key) {
  switch (key.type()) {
    case json::value_t::null:
      return "N";
    case json::value_t::boolean:
      return key.get<bool>() ? "i1" : "i0";
    case json::value_t::number_integer:
      return "i" + std::to_string(key.get<std::int64_t>());
    case json::value_t::number_unsigned:
      return "i" + std::to_string(key.get<std::uint64_t>());
    case json::value_t::number_float:
      return float_key(key.get<double>());
    case json::value_t::string: {
      std::string out = "s";
      append_framed(out, key.get_ref<const std::string&>());
      return out;
    }
    case json::value_t::binary: {
      const auto& bytes = key.get_binary();
      std::string out = "b";
      append_framed(out, std::string(bytes.begin(), bytes.end()));
      return out;
    }
    default:
      break;
  }
  auto kind = py_kind(key);
  if (kind == "int") {
    const auto& payload = key.at(payload_key);
    auto decimal = payload.is_string() ? canonical_decimal(payload.get_ref<const std::string&>())
                                       : std::nullopt;
    if (!decimal)
      throw TypeError("a tagged int whose payload is not a decimal text");
    return "i" + *decimal;
  }
  if (kind == "tuple" || kind == "frozenset") {
    const auto& payload = key.at(payload_key);
    if (!payload.is_array())
      throw TypeError("a tagged " + std::string{kind} + " whose payload is not an array");
    std::vector<std::string> items;
    items.reserve(payload.size());
    for (const auto& item : payload)
      items.push_back(python_key(item));
    if (kind == "frozenset") {
      std::sort(items.begin(), items.end());
      items.erase(std::unique(items.begin(), items.end()), items.end());
    }
    std::string out = kind == "tuple" ? "t" : "z";
    out += std::to_string(items.size());
    out += '(';
    for (const auto& item : items)
      append_framed(out, item);
    return out;
  }
  throw TypeError("unhashable type: '" + python_type_name(key) + "'");
}

std::string python_type_name(const json& value) {
  switch (value.type()) {
    case json::value_t::null: return "NoneType";
    case json::value_t::boolean: return "bool";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned: return "int";
    case json::value_t::number_float: return "float";
    case json::value_t::string: return "str";
    case json::value_t::binary: return "bytes";
    case json::value_t::array: return "list";
    case json::value_t::object: {
      auto kind = py_kind(value);
      if (kind.empty())
        return "dict";
      if (kind == "token")
        return "Token";
      if (kind == "exception") {
        const auto& type = value.at(payload_key).value("type", json{});
        return type.is_string() ? type.get<std::string>() : "exception";
      }
      if (kind == "proxy")
        return "proxy";
      return std::string{kind};
    }
    default: return "unknown";
  }
}

} // namespace mpactor::python

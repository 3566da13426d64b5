#include <mpactor/actors/core/json.hpp>

#include <charconv>
#include <cstdlib>
#include <memory>

#include <cxxabi.h>
#include <cmath>

namespace mpactor {

namespace {

bool is_proxy_marker(const json& value) {
  return value.is_object() && value.size() == 1 && value.contains("__mpactor_ref__");
}

void repr_string(const std::string& s, std::string& out) {
  // Python prefers single quotes unless the text holds one and no double.
  char q = (s.find('\'') != std::string::npos && s.find('"') == std::string::npos) ? '"' : '\'';
  out += q;
  for (char c : s) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c == q)
          out += '\\';
        out += c;
    }
  }
  out += q;
}

void repr_float(double x, std::string& out) {
  if (std::isnan(x)) {
    out += "nan";
    return;
  }
  if (std::isinf(x)) {
    out += x > 0 ? "inf" : "-inf";
    return;
  }
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), x);
  std::string s{buf, res.ptr};
  if (s.find_first_of(".e") == std::string::npos)
    s += ".0";
  out += s;
}

void repr(const json& v, std::string& out) {
  switch (v.type()) {
    case json::value_t::null: out += "None"; break;
    case json::value_t::boolean: out += v.get<bool>() ? "True" : "False"; break;
    case json::value_t::number_integer: out += std::to_string(v.get<long long>()); break;
    case json::value_t::number_unsigned: out += std::to_string(v.get<unsigned long long>()); break;
    case json::value_t::number_float: repr_float(v.get<double>(), out); break;
    case json::value_t::string: repr_string(v.get_ref<const std::string&>(), out); break;
    case json::value_t::array: {
      out += '[';
      bool first = true;
      for (auto& x : v) {
        if (!first) out += ", ";
        first = false;
        repr(x, out);
      }
      out += ']';
      break;
    }
    case json::value_t::object: {
      if (is_proxy_marker(v)) {
        auto& ref = v["__mpactor_ref__"];
        out += "<" + ref.value("typeid", std::string{"?"}) + " proxy, id "
               + std::to_string(ref.value("id", 0ull)) + ">";
        break;
      }
      out += '{';
      bool first = true;
      for (auto it = v.begin(); it != v.end(); ++it) {
        if (!first) out += ", ";
        first = false;
        repr_string(it.key(), out);
        out += ": ";
        repr(it.value(), out);
      }
      out += '}';
      break;
    }
    case json::value_t::binary: out += "b'...'"; break;
    default: out += "?"; break;
  }
}

} // namespace

std::string python_repr(const json& value) {
  std::string out;
  repr(value, out);
  return out;
}

std::string demangled_name(const std::type_info& type) {
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> name{
    abi::__cxa_demangle(type.name(), nullptr, nullptr, &status), std::free};
  return status == 0 && name ? std::string{name.get()} : std::string{type.name()};
}

std::string json_type_name(const json& value) {
  switch (value.type()) {
    case json::value_t::null: return "None";
    case json::value_t::boolean: return "bool";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned: return "int";
    case json::value_t::number_float: return "float";
    case json::value_t::string: return "str";
    case json::value_t::array: return "list";
    case json::value_t::object: return is_proxy_marker(value) ? "proxy" : "dict";
    case json::value_t::binary: return "bytes";
    default: return "unknown";
  }
}

} // namespace mpactor

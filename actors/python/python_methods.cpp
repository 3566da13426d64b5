#include <mpactor/actors/python/python_methods.hpp>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <algorithm>

#include <mpactor/actors/python/python_value.hpp>
#include <mpactor/shm/error.hpp>

namespace mpactor::python {

namespace {

using list_t = std::vector<std::string>;

// Python's exposed tuples (multiprocessing.managers, 3.11), by Python type id.
const list_t dict_methods{"__contains__", "__delitem__", "__getitem__", "__iter__", "__len__",
                          "__setitem__", "clear", "copy", "get", "items", "keys", "pop",
                          "popitem", "setdefault", "update", "values"};
const list_t list_methods{"__add__", "__contains__", "__delitem__", "__getitem__", "__len__",
                          "__mul__", "__reversed__", "__rmul__", "__setitem__", "append",
                          "count", "extend", "index", "insert", "pop", "remove", "reverse",
                          "sort", "__imul__"};
const list_t queue_methods{"empty", "full", "get", "get_nowait", "join", "put", "put_nowait",
                           "qsize", "task_done"};

// The items of a tuple or list argument.
const json& items_of(const json& v) {
  return py_payload(v);
}

// The items of an iterable a client sent: a list, tuple, set or frozenset,
// a range (expanded, 4 Mi items at most), a dict's keys.
json iterable_items(const json& v) {
  if (is_py(v, "range")) {
    auto& r = py_payload(v);
    long long start = r[0].get<long long>(), stop = r[1].get<long long>(),
              step = r[2].get<long long>();
    if (step == 0)
      throw ValueError("range() arg 3 must not be zero");
    json out = json::array();
    for (long long i = start; step > 0 ? i < stop : i > stop; i += step) {
      if (out.size() >= (std::size_t{1} << 22))
        throw ValueError("range too long for a managed list");
      out.push_back(i);
    }
    return out;
  }
  if (is_py_dict(v)) {
    json out = json::array();
    for (auto& [k, x] : py_dict_items(v))
      out.push_back(k);
    return out;
  }
  auto& items = py_payload(v);
  if (!items.is_array())
    throw TypeError("'" + python_type_name(v) + "' object is not iterable");
  return items;
}

// Positional argument `i`, else keyword `name`, else nullptr.
const json* arg_at(const json& args, const json& kwds, std::size_t i, const char* name) {
  auto& a = items_of(args);
  if (a.is_array() && i < a.size())
    return &a[i];
  if (kwds.is_object()) {
    auto it = kwds.find(name);
    if (it != kwds.end())
      return &*it;
  }
  return nullptr;
}

// The [key, value] pairs of dict(mapping_or_pairs, **kwds) and of
// dict.update(...): a dict's items, else an iterable of pairs, then the
// keywords.
json mapping_pairs(const json* positional, const json& kwds) {
  json pairs = json::array();
  if (positional != nullptr) {
    if (is_py_dict(*positional)) {
      for (auto& [k, v] : py_dict_items(*positional))
        pairs.push_back(json::array({k, v}));
    } else {
      for (auto& kv : items_of(*positional))
        pairs.push_back(json::array({items_of(kv).at(0), items_of(kv).at(1)}));
    }
  }
  if (kwds.is_object())
    for (auto& [k, v] : kwds.items())
      pairs.push_back(json::array({k, v}));
  return pairs;
}

// A json object of the given names and values, each value moved in: an
// initializer list ({{"key", k}}) would build a [name, value] array per
// field first, on the path of every call.
void put_fields(json&) {}

template <class... Rest>
void put_fields(json& o, const char* name, json value, Rest&&... rest) {
  o.emplace(name, std::move(value));
  put_fields(o, std::forward<Rest>(rest)...);
}

template <class... Fields>
json object_of(Fields&&... fields) {
  json o = json::object();
  put_fields(o, std::forward<Fields>(fields)...);
  return o;
}

json need(const json& args, const json& kwds, std::size_t i, const char* name,
          const std::string& method) {
  if (auto* v = arg_at(args, kwds, i, name))
    return *v;
  throw TypeError(method + "() missing required argument: '" + name + "'");
}

json opt(const json& args, const json& kwds, std::size_t i, const char* name, json fallback) {
  if (auto* v = arg_at(args, kwds, i, name))
    return *v;
  return fallback;
}

// A Python timeout: None or negative is "forever" for locks (-1 default).
json lock_timeout(const json& t) {
  if (t.is_number() && t.get<double>() < 0)
    return nullptr;
  return t;
}

bool truthy(const json& v) {
  if (v.is_boolean())
    return v.get<bool>();
  if (v.is_number())
    return v.get<double>() != 0;
  return !v.is_null();
}

std::string type_name_of(const std::string& native) {
  return native;
}

[[noreturn]] void not_exposed(const std::string& method, const std::string& type) {
  throw AttributeError("method '" + method + "' of '" + type_name_of(type)
                       + "' object is not in exposed list");
}

void repr_str(const std::string& s, std::string& out) {
  bool dq = s.find('\'') != std::string::npos && s.find('"') == std::string::npos;
  char q = dq ? '"' : '\'';
  out += q;
  for (unsigned char c : s) {
    if (c == '\\')
      out += "\\\\";
    else if (c == static_cast<unsigned char>(q))
      out += std::string{"\\"} + static_cast<char>(q);
    else if (c == '\n')
      out += "\\n";
    else if (c == '\t')
      out += "\\t";
    else if (c == '\r')
      out += "\\r";
    else if (c < 0x20 || c == 0x7f) {
      char b[8];
      std::snprintf(b, sizeof b, "\\x%02x", c);
      out += b;
    } else
      out += static_cast<char>(c);
  }
  out += q;
}

void repr_bytes(const json::binary_t& b, std::string& out) {
  out += "b'";
  for (auto c : b) {
    if (c == '\\' || c == '\'') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n')
      out += "\\n";
    else if (c == '\t')
      out += "\\t";
    else if (c == '\r')
      out += "\\r";
    else if (c < 0x20 || c >= 0x7f) {
      char x[8];
      std::snprintf(x, sizeof x, "\\x%02x", c);
      out += x;
    } else
      out += static_cast<char>(c);
  }
  out += '\'';
}

void repr(const json& v, std::string& out);

void repr_seq(const json& items, const char* open, const char* close, std::string& out,
              bool tuple = false) {
  out += open;
  bool first = true;
  for (auto& x : items) {
    if (!first)
      out += ", ";
    first = false;
    repr(x, out);
  }
  if (tuple && items.size() == 1)
    out += ",";
  out += close;
}

void repr(const json& v, std::string& out) {
  auto kind = py_kind(v);
  if (!kind.empty()) {
    auto& p = py_payload(v);
    if (kind == "int")
      out += p.get<std::string>();
    else if (kind == "tuple")
      repr_seq(p, "(", ")", out, true);
    else if (kind == "set" || kind == "frozenset") {
      if (p.empty())
        out += kind == "set" ? "set()" : "frozenset()";
      else if (kind == "set")
        repr_seq(p, "{", "}", out);
      else {
        out += "frozenset(";
        repr_seq(p, "{", "}", out);
        out += ")";
      }
    } else if (kind == "dict") {
      out += "{";
      bool first = true;
      for (auto& kv : p) {
        if (!first)
          out += ", ";
        first = false;
        repr(kv[0], out);
        out += ": ";
        repr(kv[1], out);
      }
      out += "}";
    } else if (kind == "bytearray") {
      out += "bytearray(";
      repr_bytes(p.get_binary(), out);
      out += ")";
    } else {
      out += "<" + std::string{kind} + ">";
    }
    return;
  }
  switch (v.type()) {
    case json::value_t::null:
      out += "None";
      return;
    case json::value_t::boolean:
      out += v.get<bool>() ? "True" : "False";
      return;
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
      out += v.dump();
      return;
    case json::value_t::number_float: {
      double d = v.get<double>();
      if (std::isnan(d))
        out += "nan";
      else if (std::isinf(d))
        out += d > 0 ? "inf" : "-inf";
      else {
        char b[32];
        std::snprintf(b, sizeof b, "%.17g", d);
        // shortest form that reads back
        for (int prec = 1; prec <= 17; ++prec) {
          std::snprintf(b, sizeof b, "%.*g", prec, d);
          if (std::strtod(b, nullptr) == d)
            break;
        }
        std::string s = b;
        if (s.find_first_of(".en") == std::string::npos)
          s += ".0";
        out += s;
      }
      return;
    }
    case json::value_t::string:
      repr_str(v.get<std::string>(), out);
      return;
    case json::value_t::binary:
      repr_bytes(v.get_binary(), out);
      return;
    case json::value_t::array:
      repr_seq(v, "[", "]", out);
      return;
    case json::value_t::object: {
      out += "{";
      bool first = true;
      for (auto& [k, x] : v.items()) {
        if (!first)
          out += ", ";
        first = false;
        repr_str(k, out);
        out += ": ";
        repr(x, out);
      }
      out += "}";
      return;
    }
    default:
      out += v.dump();
  }
}

json py_list_of_pairs(const json& pairs) {
  json out = json::array();
  for (auto& kv : pairs)
    out.push_back(py_tuple(kv[0], kv[1]));
  return out;
}

json exc(const char* type, json::array_t args = {}) {
  return py_exception(type, std::move(args));
}

} // namespace

std::string py_repr(const json& value) {
  std::string out;
  repr(value, out);
  return out;
}

native_create map_create(const std::string& t, const json& args, const json& kwds) {
  native_create c;
  c.type_id = t;
  auto method = "create " + t;
  if (t == "dict") {
    c.args = {{"init", mapping_pairs(arg_at(args, kwds, 0, "\x01"), kwds)}};
  } else if (t == "list") {
    json init = json::array();
    if (auto* seq = arg_at(args, kwds, 0, "\x01"))
      init = iterable_items(*seq);
    c.args = {{"init", init}};
  } else if (t == "Namespace") {
    c.args = {{"init", kwds.is_object() ? kwds : json::object()}};
  } else if (t == "Queue" || t == "JoinableQueue") {
    // Python registers both as queue.Queue: task_done() and join() work on
    // either.
    c.type_id = "JoinableQueue";
    c.args = {{"maxsize", opt(args, kwds, 0, "maxsize", 0)}};
  } else if (t == "Lock" || t == "RLock" || t == "Event") {
    // nop
  } else if (t == "Semaphore" || t == "BoundedSemaphore") {
    c.args = {{"value", opt(args, kwds, 0, "value", 1)}};
  } else if (t == "Condition") {
    if (!opt(args, kwds, 0, "lock", nullptr).is_null())
      throw TypeError("mpactor: a Condition over a lock of your own is not supported");
  } else if (t == "Barrier") {
    if (!opt(args, kwds, 1, "action", nullptr).is_null())
      throw TypeError("mpactor: a Barrier action would run Python code in the server");
    c.args = {{"parties", need(args, kwds, 0, "parties", method)},
              {"timeout", opt(args, kwds, 2, "timeout", nullptr)}};
  } else if (t == "Value") {
    c.args = {{"init", need(args, kwds, 1, "value", method)}};
  } else if (t == "Array") {
    c.args = {{"init", iterable_items(need(args, kwds, 1, "sequence", method))}};
  } else {
    c.args = {{"args", args}, {"kwds", kwds}};
  }
  return c;
}

std::vector<std::string> exposed_methods(const std::string& t) {
  if (t == "dict")
    return dict_methods;
  if (t == "list")
    return list_methods;
  if (t == "Queue" || t == "JoinableQueue")
    return queue_methods;
  if (t == "Namespace")
    return {"__getattribute__", "__setattr__", "__delattr__"};
  if (t == "Lock" || t == "RLock" || t == "Semaphore" || t == "BoundedSemaphore")
    return {"acquire", "release"};
  if (t == "Condition")
    return {"acquire", "release", "wait", "notify", "notify_all"};
  if (t == "Event")
    return {"is_set", "set", "clear", "wait"};
  if (t == "Barrier")
    return {"__getattribute__", "wait", "abort", "reset"};
  if (t == "Value")
    return {"get", "set"};
  if (t == "Array")
    return {"__len__", "__getitem__", "__setitem__"};
  if (t == "Iterator")
    return {"__next__", "send", "throw", "close"};
  return {};
}

std::string proxy_class(const std::string& t) {
  if (t == "dict")
    return "DictProxy";
  if (t == "list")
    return "ListProxy";
  return "AutoProxy";
}

native_call map_call(const std::string& type, const std::string& m, const json& a,
                     const json& k) {
  native_call c;
  c.python_method = m;
  c.type = type;
  auto set = [&](std::string method, json args = json::object(),
                 result_shape shape = result_shape::value) {
    c.method = std::move(method);
    c.args = std::move(args);
    c.shape = shape;
    return std::move(c); // each use returns at once: no deep copy of the arguments
  };
  auto key = [&] {
    c.arg = need(a, k, 0, "key", m);
    return c.arg;
  };
  // A list's or Array's `x[i]`, or `x[i:j:k]` as a slice of a copy.
  auto item_at = [&] {
    auto i = need(a, k, 0, "index", m);
    if (is_py(i, "slice")) {
      c.arg = i;
      return set("copy", {}, result_shape::slice);
    }
    return set("get", object_of("index", std::move(i)));
  };
  if (m == "__repr__" || m == "__str__") {
    c.arg = type;
    if (type == "dict")
      return set("items", {}, result_shape::repr);
    if (type == "list" || type == "Array")
      return set("copy", {}, result_shape::repr);
    if (type == "Namespace")
      return set("items", {}, result_shape::repr);
    if (type == "Value")
      return set("get", {}, result_shape::repr);
  }
  if (type == "dict") {
    if (m == "__getitem__")
      return set("get", object_of("key", key()));
    if (m == "get")
      return set("get", object_of("key", key(), "default", opt(a, k, 1, "default", nullptr)));
    if (m == "__setitem__")
      return set("set", object_of("key", key(), "value", need(a, k, 1, "value", m)),
                 result_shape::none);
    if (m == "__delitem__")
      return set("erase", object_of("key", key()), result_shape::none);
    if (m == "__contains__")
      return set("contains", object_of("key", key()));
    if (m == "__len__")
      return set("size");
    if (m == "keys" || m == "values")
      return set(m);
    if (m == "items") // a list, as Python's DictProxy gives (not a view)
      return set("items", {}, result_shape::pairs);
    if (m == "popitem")
      return set("popitem", {}, result_shape::pair);
    if (m == "copy" || m == "#GETVALUE")
      return set("items", {}, result_shape::dict);
    if (m == "clear")
      return set("clear", {}, result_shape::none);
    if (m == "pop") {
      json args{{"key", key()}};
      if (auto* d = arg_at(a, k, 1, "default"))
        args["default"] = *d;
      return set("pop", args);
    }
    if (m == "setdefault")
      return set("setdefault", {{"key", key()}, {"default", opt(a, k, 1, "default", nullptr)}});
    if (m == "update") {
      return set("update", {{"items", mapping_pairs(arg_at(a, {}, 0, ""), k)}},
                 result_shape::none);
    }
    if (m == "__iter__")
      return set("keys", {}, result_shape::iterator);
    not_exposed(m, type);
  }
  if (type == "list") {
    if (m == "__getitem__")
      return item_at();
    if (m == "__setitem__") {
      auto i = need(a, k, 0, "index", m);
      if (is_py(i, "slice"))
        throw TypeError("mpactor: slice assignment to a managed list is not supported");
      return set("set", object_of("index", std::move(i), "value", need(a, k, 1, "value", m)),
                 result_shape::none);
    }
    if (m == "__delitem__")
      return set("pop", {{"index", need(a, k, 0, "index", m)}}, result_shape::none);
    if (m == "__len__")
      return set("size");
    if (m == "__contains__") {
      c.arg = need(a, k, 0, "value", m);
      return set("copy", {}, result_shape::contains);
    }
    if (m == "append")
      return set("append", {{"value", need(a, k, 0, "object", m)}}, result_shape::none);
    if (m == "extend" || m == "__iadd__")
      return set("extend", {{"values", iterable_items(need(a, k, 0, "iterable", m))}},
                 result_shape::none);
    if (m == "insert")
      return set("insert", {{"index", need(a, k, 0, "index", m)},
                            {"value", need(a, k, 1, "object", m)}},
                 result_shape::none);
    if (m == "pop")
      return set("pop", {{"index", opt(a, k, 0, "index", -1)}});
    if (m == "remove")
      return set("remove", {{"value", need(a, k, 0, "value", m)}}, result_shape::none);
    if (m == "index")
      return set("index", {{"value", need(a, k, 0, "value", m)}});
    if (m == "count")
      return set("count", {{"value", need(a, k, 0, "value", m)}});
    if (m == "reverse" || m == "clear")
      return set(m, {}, result_shape::none);
    if (m == "sort") {
      if (!opt(a, k, 99, "key", nullptr).is_null())
        throw TypeError("mpactor: list.sort(key=...) would run Python code in the server");
      return set("sort", {{"reverse", truthy(opt(a, k, 99, "reverse", false))}},
                 result_shape::none);
    }
    if (m == "copy" || m == "#GETVALUE")
      return set("copy");
    if (m == "__iter__")
      return set("copy", {}, result_shape::iterator);
    if (m == "__imul__")
      return set("repeat", {{"n", need(a, k, 0, "value", m)}}, result_shape::none);
    if (m == "__mul__" || m == "__rmul__") {
      c.arg = need(a, k, 0, "value", m);
      return set("copy", {}, result_shape::repeat);
    }
    if (m == "__add__") {
      c.arg = items_of(need(a, k, 0, "value", m));
      return set("copy", {}, result_shape::concat);
    }
    not_exposed(m, type);
  }
  if (type == "Namespace") {
    if (m == "__getattribute__")
      return set("get", object_of("name", need(a, k, 0, "name", m)));
    if (m == "__setattr__")
      return set("set", object_of("name", need(a, k, 0, "name", m), "value", need(a, k, 1, "value", m)),
                 result_shape::none);
    if (m == "__delattr__")
      return set("erase", {{"name", need(a, k, 0, "name", m)}}, result_shape::none);
    not_exposed(m, type);
  }
  if (type == "Queue" || type == "JoinableQueue") {
    if (m == "put")
      return set("put", object_of("item", need(a, k, 0, "item", m),
                                  "block", truthy(opt(a, k, 1, "block", true)),
                                  "timeout", opt(a, k, 2, "timeout", nullptr)),
                 result_shape::none);
    if (m == "put_nowait")
      return set("put", {{"item", need(a, k, 0, "item", m)}, {"block", false}},
                 result_shape::none);
    if (m == "get")
      return set("get", object_of("block", truthy(opt(a, k, 0, "block", true)),
                                  "timeout", opt(a, k, 1, "timeout", nullptr)));
    if (m == "get_nowait")
      return set("get", {{"block", false}});
    if (m == "qsize" || m == "empty" || m == "full")
      return set(m);
    if (m == "task_done" || m == "join")
      return set(m, {}, result_shape::none);
    not_exposed(m, type);
  }
  if (type == "Lock" || type == "RLock" || type == "Semaphore" || type == "BoundedSemaphore"
      || type == "Condition") {
    if (m == "acquire")
      return set("acquire", {{"block", truthy(opt(a, k, 0, "blocking", true))},
                             {"timeout", lock_timeout(opt(a, k, 1, "timeout", nullptr))}});
    if (m == "release") {
      json args = json::object();
      if (auto* n = arg_at(a, k, 0, "n"))
        args["n"] = *n;
      return set("release", args, result_shape::none);
    }
    if (m == "locked" && (type == "Lock" || type == "RLock"))
      return set("locked");
    if (type == "Condition") {
      if (m == "wait")
        return set("wait", {{"timeout", opt(a, k, 0, "timeout", nullptr)}});
      if (m == "notify")
        return set("notify", {{"n", opt(a, k, 0, "n", 1)}}, result_shape::none);
      if (m == "notify_all")
        return set("notify_all", {}, result_shape::none);
    }
    not_exposed(m, type);
  }
  if (type == "Event") {
    if (m == "is_set")
      return set("is_set");
    if (m == "set" || m == "clear")
      return set(m, {}, result_shape::none);
    if (m == "wait")
      return set("wait", {{"timeout", opt(a, k, 0, "timeout", nullptr)}});
    not_exposed(m, type);
  }
  if (type == "Barrier") {
    if (m == "wait")
      return set("wait", {{"timeout", opt(a, k, 0, "timeout", nullptr)}});
    if (m == "abort" || m == "reset")
      return set(m, {}, result_shape::none);
    if (m == "__getattribute__") {
      auto name = need(a, k, 0, "name", m);
      if (name == "parties" || name == "n_waiting" || name == "broken")
        return set(name.get<std::string>());
      throw AttributeError("'Barrier' object has no attribute " + py_repr(name));
    }
    not_exposed(m, type);
  }
  if (type == "Value") {
    if (m == "get" || m == "#GETVALUE")
      return set("get");
    if (m == "set")
      return set("set", {{"value", need(a, k, 0, "value", m)}}, result_shape::none);
    not_exposed(m, type);
  }
  if (type == "Array") {
    if (m == "__len__")
      return set("size");
    if (m == "__getitem__")
      return item_at();
    if (m == "__setitem__")
      return set("set", {{"index", need(a, k, 0, "index", m)}, {"value", need(a, k, 1, "value", m)}},
                 result_shape::none);
    if (m == "#GETVALUE")
      return set("copy");
    not_exposed(m, type);
  }
  if (type == "Iterator") {
    if (m == "__next__")
      return set("next");
    not_exposed(m, type);
  }
  // Another type (a register_type'd class): its own method names, the
  // positional arguments as "args", the keywords as "kwds".
  return set(m, {{"args", items_of(a)}, {"kwds", k}});
}

json map_result(const native_call& c, json r) {
  switch (c.shape) {
    case result_shape::none:
      return nullptr;
    case result_shape::pairs:
      return py_list_of_pairs(r);
    case result_shape::pair:
      return py_tuple(r.at(0), r.at(1));
    case result_shape::dict: {
      std::vector<std::pair<json, json>> items;
      for (auto& kv : r)
        items.emplace_back(kv[0], kv[1]);
      return py_dict(std::move(items));
    }
    case result_shape::slice: {
      auto& s = py_payload(c.arg);
      auto n = static_cast<long long>(r.size());
      long long step = s[2].is_null() ? 1 : s[2].get<long long>();
      if (step == 0)
        throw ValueError("slice step cannot be zero");
      auto clamp = [&](const json& v, long long dflt) {
        if (v.is_null())
          return dflt;
        long long i = v.get<long long>();
        if (i < 0)
          i += n;
        if (step > 0)
          return std::max(0LL, std::min(i, n));
        return std::max(-1LL, std::min(i, n - 1));
      };
      long long start = clamp(s[0], step > 0 ? 0 : n - 1);
      long long stop = clamp(s[1], step > 0 ? n : -1);
      json out = json::array();
      for (long long i = start; step > 0 ? i < stop : i > stop; i += step)
        out.push_back(r[static_cast<std::size_t>(i)]);
      return out;
    }
    case result_shape::contains: {
      for (auto& x : r)
        if (x == c.arg)
          return true;
      return false;
    }
    case result_shape::len:
      return r.size();
    case result_shape::concat:
      for (auto& x : c.arg)
        r.push_back(x);
      return r;
    case result_shape::repeat: {
      json out = json::array();
      for (long long i = 0; i < c.arg.get<long long>(); ++i)
        for (auto& x : r)
          out.push_back(x);
      return out;
    }
    case result_shape::repr: {
      auto kind = c.arg.get<std::string>();
      if (kind == "dict") {
        std::vector<std::pair<json, json>> items;
        for (auto& kv : r)
          items.emplace_back(kv[0], kv[1]);
        return py_repr(py_dict(std::move(items)));
      }
      if (kind == "Namespace") {
        std::string out = "Namespace(";
        bool first = true;
        for (auto& [name, v] : r.items()) {
          out += (first ? "" : ", ") + name + "=" + py_repr(v);
          first = false;
        }
        return out + ")";
      }
      if (kind == "Value")
        return "Value(" + py_repr(r) + ")";
      return py_repr(r);
    }
    case result_shape::iterator:
    case result_shape::value:
      break;
  }
  return r;
}

json map_error(const native_call& c, error_code code, const std::string& message) {
  bool lockish = c.type == "Lock" || c.type == "RLock" || c.type == "Condition";
  switch (code) {
    case error_code::key_error:
      if (c.method == "popitem")
        return exc("builtins.KeyError", {"popitem(): dictionary is empty"});
      if (c.type == "dict" && !c.arg.is_null())
        return exc("builtins.KeyError", {c.arg});
      return exc("builtins.KeyError", {message});
    case error_code::index_error:
      if (c.python_method == "__next__")
        return exc("builtins.StopIteration");
      return exc("builtins.IndexError", {message});
    case error_code::value_error:
      if (lockish && c.method == "release")
        return exc("builtins.RuntimeError", {message});
      return exc("builtins.ValueError", {message});
    case error_code::type_error:
      return exc("builtins.TypeError", {message});
    case error_code::empty:
      return exc("_queue.Empty");
    case error_code::full:
      return exc("queue.Full");
    case error_code::timeout_error:
      return exc("builtins.TimeoutError", {message});
    case error_code::broken_barrier_error:
      return exc("threading.BrokenBarrierError");
    case error_code::attribute_error:
      return exc("builtins.AttributeError", {message});
    default:
      return exc("builtins.RuntimeError", {message});
  }
}

std::string traceback_of(const native_call& c, const std::string& message) {
  return "Traceback (most recent call last):\n  C++ method '" + c.method + "' of '" + c.type
         + "' in the mpactor server\n" + message + "\n";
}

json exception_of(const std::exception& e) {
  std::string m = e.what();
  if (dynamic_cast<const AttributeError*>(&e))
    return exc("builtins.AttributeError", {m});
  if (dynamic_cast<const KeyError*>(&e))
    return exc("builtins.KeyError", {m});
  if (dynamic_cast<const IndexError*>(&e))
    return exc("builtins.IndexError", {m});
  if (dynamic_cast<const ValueError*>(&e))
    return exc("builtins.ValueError", {m});
  if (dynamic_cast<const TypeError*>(&e))
    return exc("builtins.TypeError", {m});
  if (dynamic_cast<const json::exception*>(&e))
    return exc("builtins.TypeError", {m});
  return exc("builtins.RuntimeError", {m});
}

} // namespace mpactor::python

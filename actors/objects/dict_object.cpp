#include <mpactor/actors/objects/dict_object.hpp>

#include <mpactor/shm/error.hpp>

namespace mpactor {

dict_object::dict_object(const json& init, object_table& table) : table_(table) {
  if (init.is_object()) {
    for (auto& [k, v] : init.items())
      set(k, v);
  } else if (init.is_array()) {
    for (auto& kv : init) {
      if (!kv.is_array() || kv.size() != 2)
        throw TypeError("dict: items must be [key, value] pairs");
      set(kv[0], kv[1]);
    }
  } else if (!init.is_null()) {
    throw TypeError("dict: cannot initialize from " + json_type_name(init));
  }
}

dict_object::~dict_object() {
  for (auto& [k, v] : entries_)
    table_.drop(v);
}

void dict_object::set(json key, json value) {
  table_.hold(value);
  if (auto* old = find(key)) {
    table_.drop(*old);
    *old = std::move(value);
    return;
  }
  entries_.emplace_back(std::move(key), std::move(value));
  auto it = std::prev(entries_.end());
  index_.emplace(it->first, it);
  size_.store(entries_.size(), std::memory_order_relaxed);
}

json* dict_object::find(const json& key) {
  auto it = index_.find(key);
  return it == index_.end() ? nullptr : &it->second->second;
}

bool dict_object::erase(const json& key, json* out) {
  auto it = index_.find(key);
  if (it == index_.end())
    return false;
  if (out != nullptr)
    *out = std::move(it->second->second);
  else
    table_.drop(it->second->second);
  entries_.erase(it->second);
  index_.erase(it);
  size_.store(entries_.size(), std::memory_order_relaxed);
  return true;
}

outcome dict_object::call(call_context& ctx, const std::string& m, json& args) {
  auto key = [&]() -> json& {
    auto it = args.find("key");
    if (it == args.end())
      throw TypeError("dict." + m + ": missing argument 'key'");
    return *it;
  };
  if (m == "get") {
    if (auto* v = find(key()))
      return *v;
    if (args.contains("default"))
      return args["default"];
    return make_error(error_code::key_error, python_repr(key()));
  }
  if (m == "set") {
    set(std::move(key()), std::move(args["value"]));
    return json{};
  }
  if (m == "contains")
    return find(key()) != nullptr;
  if (m == "size")
    return entries_.size();
  if (m == "pop") {
    json out;
    if (erase(key(), &out)) {
      ctx.drop_after_reply(out);
      return out;
    }
    if (args.contains("default"))
      return args["default"];
    return make_error(error_code::key_error, python_repr(key()));
  }
  if (m == "setdefault") {
    if (auto* v = find(key()))
      return *v;
    json d = args.value("default", json{});
    set(key(), d);
    return d;
  }
  if (m == "keys" || m == "values" || m == "items") {
    json out = json::array();
    for (auto& [k, v] : entries_) {
      if (m == "keys")
        out.push_back(k);
      else if (m == "values")
        out.push_back(v);
      else
        out.push_back(json::array({k, v}));
    }
    return out;
  }
  if (m == "copy") {
    // A json object has string keys only: a key that is not a string goes in
    // as its JSON text, and two keys that meet there (1 and "1") would lose
    // one entry, so they are refused instead.
    json out = json::object();
    for (auto& [k, v] : entries_) {
      auto name = k.is_string() ? k.get<std::string>() : k.dump();
      if (out.contains(name)) {
        for (auto& [other, ignored] : entries_)
          if (other != k && (other.is_string() ? other.get<std::string>() : other.dump()) == name)
            throw ValueError("dict.copy: keys " + other.dump() + " and " + k.dump()
                             + " are one key in a json object; items() keeps both");
      }
      out[name] = v;
    }
    return out;
  }
  if (m == "update") {
    auto& items = args["items"];
    if (items.is_object()) {
      for (auto& [k, v] : items.items())
        set(k, v);
    } else if (items.is_array()) {
      for (auto& kv : items) {
        if (!kv.is_array() || kv.size() != 2)
          throw TypeError("dict.update: items must be [key, value] pairs");
        set(kv[0], kv[1]);
      }
    } else {
      throw TypeError("dict.update: expected a dict or a list of pairs, got "
                      + json_type_name(items));
    }
    return json{};
  }
  if (m == "clear") {
    for (auto& [k, v] : entries_)
      table_.drop(v);
    entries_.clear();
    index_.clear();
    size_.store(0, std::memory_order_relaxed);
    return json{};
  }
  if (m == "popitem") {
    if (entries_.empty())
      return make_error(error_code::key_error, "'popitem(): dictionary is empty'");
    auto last = std::prev(entries_.end());
    json out = json::array({last->first, json{}});
    erase(out[0], &out[1]);
    ctx.drop_after_reply(out[1]);
    return out;
  }
  if (m == "erase") {
    if (!erase(key(), nullptr))
      return make_error(error_code::key_error, python_repr(key()));
    return json{};
  }
  return no_such_method("dict", m);
}

} // namespace mpactor

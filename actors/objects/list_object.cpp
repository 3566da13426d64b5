#include <mpactor/actors/objects/list_object.hpp>

#include <algorithm>

#include <mpactor/shm/error.hpp>

namespace mpactor {

namespace {

// Python compares numbers with numbers and strings with strings only.
int order_class(const json& v) {
  if (v.is_number() || v.is_boolean())
    return 0;
  if (v.is_string())
    return 1;
  if (v.is_array())
    return 2;
  return 3;
}

} // namespace

list_object::list_object(const json& init, object_table& table) : table_(table) {
  if (init.is_array()) {
    items_.assign(init.begin(), init.end());
    for (auto& v : items_)
      table_.hold(v);
  } else if (!init.is_null()) {
    throw TypeError("list: cannot initialize from " + json_type_name(init));
  }
}

list_object::~list_object() {
  for (auto& v : items_)
    table_.drop(v);
}

std::size_t list_object::position(const json& args, bool for_insert) const {
  auto it = args.find("index");
  long long i = -1;
  if (it != args.end() && !it->is_null())
    i = json_as<long long>(*it);
  auto n = static_cast<long long>(items_.size());
  if (for_insert) {
    // Python's insert clamps instead of raising.
    if (i < 0)
      i = std::max(0LL, i + n);
    return static_cast<std::size_t>(std::min(i, n));
  }
  if (i < 0)
    i += n;
  if (i < 0 || i >= n)
    throw IndexError("list index out of range");
  return static_cast<std::size_t>(i);
}

outcome list_object::call(call_context& ctx, const std::string& m, json& args) {
  if (m == "get")
    return items_[position(args, false)];
  if (m == "append") {
    table_.hold(args["value"]);
    items_.push_back(std::move(args["value"]));
    return json{};
  }
  if (m == "size")
    return items_.size();
  if (m == "set") {
    auto i = position(args, false);
    table_.hold(args["value"]);
    table_.drop(items_[i]);
    items_[i] = std::move(args["value"]);
    return json{};
  }
  if (m == "extend") {
    auto& values = args["values"];
    if (!values.is_array())
      throw TypeError("list.extend: expected a list, got " + json_type_name(values));
    for (auto& v : values) {
      table_.hold(v);
      items_.push_back(std::move(v));
    }
    return json{};
  }
  if (m == "insert") {
    auto i = position(args, true);
    table_.hold(args["value"]);
    items_.insert(items_.begin() + static_cast<long>(i), std::move(args["value"]));
    return json{};
  }
  if (m == "pop") {
    if (items_.empty())
      throw IndexError("pop from empty list");
    auto i = position(args, false);
    auto out = std::move(items_[i]);
    items_.erase(items_.begin() + static_cast<long>(i));
    ctx.drop_after_reply(out);
    return out;
  }
  if (m == "remove" || m == "index") {
    auto& v = args["value"];
    auto it = std::find(items_.begin(), items_.end(), v);
    if (it == items_.end())
      throw ValueError(python_repr(v) + " is not in list");
    if (m == "index")
      return static_cast<std::size_t>(it - items_.begin());
    table_.drop(*it);
    items_.erase(it);
    return json{};
  }
  if (m == "count")
    return std::count(items_.begin(), items_.end(), args["value"]);
  if (m == "reverse") {
    std::reverse(items_.begin(), items_.end());
    return json{};
  }
  if (m == "sort") {
    for (auto& v : items_)
      if (order_class(v) != order_class(items_.front()) || order_class(v) > 2)
        throw TypeError("'<' not supported between " + json_type_name(items_.front())
                        + " and " + json_type_name(v));
    bool reverse = arg<bool>(args, "reverse", false);
    std::stable_sort(items_.begin(), items_.end(), [&](const json& x, const json& y) {
      return reverse ? y < x : x < y;
    });
    return json{};
  }
  if (m == "clear") {
    for (auto& v : items_)
      table_.drop(v);
    items_.clear();
    return json{};
  }
  if (m == "copy")
    return json(items_);
  return no_such_method("list", m);
}

} // namespace mpactor

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

// Python's slice.indices(n): the first index, the step and the count of a
// slice {start, stop, step} (null bounds are Python's None).
struct slice_range {
  long long start;
  long long step;
  long long count;
};

slice_range slice_indices(const json& args, long long n) {
  auto bound = [&](const char* name) -> const json* {
    auto it = args.find(name);
    return it == args.end() || it->is_null() ? nullptr : &*it;
  };
  long long step = 1;
  if (auto* s = bound("step"))
    step = json_as<long long>(*s);
  if (step == 0)
    throw ValueError("slice step cannot be zero");
  auto clamp = [&](const json* b, long long fallback) {
    if (b == nullptr)
      return fallback;
    auto i = json_as<long long>(*b);
    if (i < 0) {
      i += n;
      if (i < 0)
        i = step < 0 ? -1 : 0;
    } else if (i >= n) {
      i = step < 0 ? n - 1 : n;
    }
    return i;
  };
  auto start = clamp(bound("start"), step < 0 ? n - 1 : 0);
  auto stop = clamp(bound("stop"), step < 0 ? -1 : n);
  long long count = 0;
  if (step > 0 && start < stop)
    count = (stop - start - 1) / step + 1;
  else if (step < 0 && stop < start)
    count = (start - stop - 1) / (-step) + 1;
  return {start, step, count};
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
  if (m == "contains")
    return std::find(items_.begin(), items_.end(), args["value"]) != items_.end();
  if (m == "get_slice") {
    auto r = slice_indices(args, static_cast<long long>(items_.size()));
    json out = json::array();
    for (long long k = 0; k < r.count; ++k)
      out.push_back(items_[static_cast<std::size_t>(r.start + k * r.step)]);
    return out;
  }
  if (m == "set_slice") {
    auto& values = args["value"];
    if (!values.is_array())
      throw TypeError("can only assign a list to a slice, not " + json_type_name(values));
    auto r = slice_indices(args, static_cast<long long>(items_.size()));
    if (r.step == 1) {
      // Python replaces l[a:b] by any number of items.
      auto first = items_.begin() + static_cast<long>(r.start);
      for (auto it = first; it != first + static_cast<long>(r.count); ++it)
        table_.drop(*it);
      for (auto& v : values)
        table_.hold(v);
      first = items_.erase(first, first + static_cast<long>(r.count));
      items_.insert(first, values.begin(), values.end());
      return json{};
    }
    if (static_cast<long long>(values.size()) != r.count)
      throw ValueError("attempt to assign sequence of size " + std::to_string(values.size())
                       + " to extended slice of size " + std::to_string(r.count));
    for (long long k = 0; k < r.count; ++k) {
      auto& slot = items_[static_cast<std::size_t>(r.start + k * r.step)];
      auto& v = values[static_cast<std::size_t>(k)];
      table_.hold(v);
      table_.drop(slot);
      slot = std::move(v);
    }
    return json{};
  }
  if (m == "del_slice") {
    auto r = slice_indices(args, static_cast<long long>(items_.size()));
    std::vector<bool> doomed(items_.size(), false);
    for (long long k = 0; k < r.count; ++k)
      doomed[static_cast<std::size_t>(r.start + k * r.step)] = true;
    std::vector<json> kept;
    kept.reserve(items_.size() - static_cast<std::size_t>(r.count));
    for (std::size_t i = 0; i < items_.size(); ++i) {
      if (doomed[i])
        table_.drop(items_[i]);
      else
        kept.push_back(std::move(items_[i]));
    }
    items_ = std::move(kept);
    return json{};
  }
  if (m == "repeat") { // in place, as Python's `l *= n`
    auto n = arg<long long>(args, "n", 1);
    if (n <= 0) {
      for (auto& v : items_)
        table_.drop(v);
      items_.clear();
      return json{};
    }
    auto size = items_.size();
    for (long long i = 1; i < n; ++i)
      for (std::size_t j = 0; j < size; ++j) {
        table_.hold(items_[j]);
        items_.push_back(items_[j]);
      }
    return json{};
  }
  return no_such_method("list", m);
}

} // namespace mpactor

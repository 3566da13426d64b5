#pragma once

// dict_actor: the state and handlers of a managed dict.
//
// Keys are any json value (Python's hashable keys: str, int, ...), kept in
// insertion order as in Python. Methods (args are named):
//   set(key, value)  get(key[, default])  contains(key)  pop(key[, default])
//   keys()  values()  items()  size()  update(items)  setdefault(key, default)
//   clear()  copy()  erase(key)  popitem()
// A missing key without default is a KeyError. update/items/copy are one
// round trip for the whole dict.

#include <atomic>
#include <list>
#include <unordered_map>

#include <mpactor/actors/objects/managed_object.hpp>
#include <mpactor/actors/runtime/object_table.hpp>

namespace mpactor {

class dict_object : public managed_object {
public:
  dict_object(const json& init, object_table& table);
  ~dict_object() override;

  outcome call(call_context& ctx, const std::string& method, json& args) override;

  /// The number of keys, readable from any thread: an Iterator over this
  /// dict (another actor) checks it, as Python's dict iterator does.
  std::size_t size_now() const noexcept { return size_.load(std::memory_order_relaxed); }

private:
  using entry = std::pair<json, json>;

  void set(json key, json value);
  json* find(const json& key);
  bool erase(const json& key, json* out);

  object_table& table_;
  std::list<entry> entries_;
  std::unordered_map<json, std::list<entry>::iterator> index_;
  std::atomic<std::size_t> size_{0}; // entries_.size(), for size_now()
};

} // namespace mpactor

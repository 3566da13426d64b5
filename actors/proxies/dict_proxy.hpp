#pragma once

// DictProxy: a managed dict (Python's DictProxy). Keys are json values (str,
// int, ...) kept in insertion order by keys(), values(), items() and
// range-for. Two things sort by key, because a json object is a sorted map:
// copy() (a json object) and a dict made or updated from a json object
// (`m.dict({{"b", 1}, {"a", 2}})`); to keep an order, pass a list of
// [key, value] pairs (fromkeys() makes one), and read with items(). copy()
// refuses (ValueError) a dict whose keys would merge in a json object (1 and
// "1"), instead of dropping one. get(key) of a missing key
// raises KeyError; get(key, default) returns the default. items(), update()
// and copy() are one round trip for the whole dict.
//
// As Python: `d[k]` reads (KeyError if missing) and `d[k] = v` writes
// (ItemRef, one round trip each), `d.erase(k)` is `del d[k]`, `len(d)`,
// `d.contains(k)` (`k in d`), and range-for walks the keys of a snapshot
// read in one round trip (see snapshot_iterator.hpp).

#include <cstddef>
#include <utility>
#include <vector>

#include <mpactor/actors/proxies/base_proxy.hpp>
#include <mpactor/actors/proxies/item_ref.hpp>
#include <mpactor/actors/proxies/snapshot_iterator.hpp>

namespace mpactor {

class DictProxy : public BaseProxy {
public:
  using BaseProxy::BaseProxy;

  void set(const json& key, const json& value) const {
    call("set", {{"key", key}, {"value", value}});
  }
  json get(const json& key) const { return call("get", {{"key", key}}); }
  json get(const json& key, const json& fallback) const {
    return call("get", {{"key", key}, {"default", fallback}});
  }
  template <class T>
  T get(const json& key) const { return call_as<T>("get", {{"key", key}}); }
  template <class T>
  T get(const json& key, const json& fallback) const {
    return call_as<T>("get", {{"key", key}, {"default", fallback}});
  }
  bool contains(const json& key) const {
    return call("contains", {{"key", key}}).get<bool>();
  }
  json pop(const json& key) const { return call("pop", {{"key", key}}); }
  json pop(const json& key, const json& fallback) const {
    return call("pop", {{"key", key}, {"default", fallback}});
  }
  /// Removes `key`; KeyError if missing.
  void erase(const json& key) const { call("erase", {{"key", key}}); }
  std::vector<json> keys() const { return call("keys").get<std::vector<json>>(); }
  std::vector<json> values() const { return call("values").get<std::vector<json>>(); }
  std::vector<std::pair<json, json>> items() const {
    std::vector<std::pair<json, json>> out;
    for (auto& kv : call("items"))
      out.emplace_back(kv[0], kv[1]);
    return out;
  }
  std::size_t size() const { return call("size").get<std::size_t>(); }
  /// Sets every key of `items` (a json object, or a list of [key, value]).
  void update(const json& items) const { call("update", {{"items", items}}); }
  json setdefault(const json& key, const json& fallback = json{}) const {
    return call("setdefault", {{"key", key}, {"default", fallback}});
  }
  void clear() const { call("clear"); }
  /// The whole dict as a json object: sorted by key (a json object is a
  /// sorted map), non-string keys as their JSON text. ValueError when two
  /// keys would become one (1 and "1"), rather than dropping one; items()
  /// keeps insertion order and key types.
  json copy() const { return call("copy"); }

  /// `d[key]`: reading is one round trip (KeyError if missing), assigning
  /// one round trip.
  ItemRef operator[](const json& key) const { return ItemRef(*this, {{"key", key}}); }

  /// Removes and returns the last inserted item as (key, value); KeyError if
  /// the dict is empty.
  std::pair<json, json> popitem() const {
    auto kv = call("popitem");
    return {kv[0], kv[1]};
  }

  /// Python's dict.fromkeys: [key, value] pairs of `keys`, each with
  /// `value`, in order; `m.dict(DictProxy::fromkeys({"a", "b"}, 0))`.
  static json fromkeys(const json& keys, const json& value = json{}) {
    json out = json::array();
    for (auto& k : keys)
      out.push_back(json::array({k, value}));
    return out;
  }

  /// Range-for: the keys (as Python), of a snapshot read in one round trip.
  snapshot_iterator begin() const { return snapshot_iterator(call("keys")); }
  snapshot_end end() const { return {}; }
};

} // namespace mpactor

#pragma once

// ListProxy: a managed list (Python's ListProxy). Indices may be negative.
// Values are json; typed reads (`get<int>(0)`, `get<ListProxy>(0)`) raise
// TypeError naming both types on a mismatch. copy() and extend() are one
// round trip for the whole list.
//
// As Python: `l[i]` and `l[slice(a, b)]` read and write (ItemRef), `l += xs`
// extends, `l.erase(i)` / `l.erase(slice(a, b))` is `del l[i]` / `del l[a:b]`,
// `len(l)`, `l.contains(x)` (`x in l`), and range-for walks the values of a
// snapshot taken in one round trip (see snapshot_iterator.hpp); so does
// `reversed(l)`.

#include <cstddef>
#include <vector>

#include <mpactor/actors/proxies/base_proxy.hpp>
#include <mpactor/actors/proxies/item_ref.hpp>
#include <mpactor/actors/proxies/slice.hpp>
#include <mpactor/actors/proxies/snapshot_iterator.hpp>

namespace mpactor {

class ListProxy : public BaseProxy {
public:
  using BaseProxy::BaseProxy;

  void append(const json& value) const { call("append", {{"value", value}}); }
  void extend(const json& values) const { call("extend", {{"values", values}}); }
  void insert(long index, const json& value) const {
    call("insert", {{"index", index}, {"value", value}});
  }
  json pop(long index = -1) const { return call("pop", {{"index", index}}); }
  template <class T>
  T pop(long index = -1) const { return call_as<T>("pop", {{"index", index}}); }
  void remove(const json& value) const { call("remove", {{"value", value}}); }
  std::size_t index(const json& value) const {
    return call("index", {{"value", value}}).get<std::size_t>();
  }
  std::size_t count(const json& value) const {
    return call("count", {{"value", value}}).get<std::size_t>();
  }
  void reverse() const { call("reverse"); }
  void sort(bool reverse = false) const { call("sort", {{"reverse", reverse}}); }
  void clear() const { call("clear"); }
  std::size_t size() const { return call("size").get<std::size_t>(); }
  json get(long index) const { return call("get", {{"index", index}}); }
  template <class T>
  T get(long index) const { return call_as<T>("get", {{"index", index}}); }
  void set(long index, const json& value) const {
    call("set", {{"index", index}, {"value", value}});
  }
  /// The whole list, in one round trip.
  json copy() const { return call("copy"); }

  /// `l[i]`: the item at `i` (negative counts from the end); reading or
  /// writing it is one round trip, IndexError when out of range.
  ItemRef operator[](long index) const { return ItemRef(*this, {{"index", index}}); }

  /// `l[a:b:step]`: reading gives a json list, assigning a list replaces the
  /// items (any length for step 1, the same length otherwise, as Python).
  ItemRef operator[](const slice& s) const {
    return ItemRef(*this, s.to_args(), "get_slice", "set_slice");
  }

  /// `del l[i]`: removes the item at `i`; IndexError when out of range.
  void erase(long index) const { call("pop", {{"index", index}}); }

  /// `del l[a:b:step]`: removes the items of the slice.
  void erase(const slice& s) const { call("del_slice", s.to_args()); }

  /// `x in l`.
  bool contains(const json& value) const {
    return call("contains", {{"value", value}}).get<bool>();
  }

  /// `l += values`: extends by a json list (one round trip).
  const ListProxy& operator+=(const json& values) const {
    extend(values);
    return *this;
  }

  /// `l += other`: extends by another managed list's items (two round trips).
  const ListProxy& operator+=(const ListProxy& other) const {
    extend(other.copy());
    return *this;
  }

  /// Range-for: the values of a snapshot read in one round trip.
  snapshot_iterator begin() const { return snapshot_iterator(copy()); }
  snapshot_end end() const { return {}; }
  template <class T>
  std::vector<T> to_vector() const {
    std::vector<T> out;
    for (auto& v : copy())
      out.push_back(convert<T>(v));
    return out;
  }
};

/// reversed(l): the values of `l` last to first (one round trip).
inline std::vector<json> reversed(const ListProxy& l) {
  auto items = l.copy();
  return std::vector<json>(items.rbegin(), items.rend());
}

} // namespace mpactor

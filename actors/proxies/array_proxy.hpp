#pragma once

// ArrayProxy: a managed Array (Python's ArrayProxy): size(), get(i),
// set(i, value), copy(). Negative indices count from the end. `a[i]` reads
// and writes one element (ItemRef, one round trip each); `len(a)`,
// `a.contains(x)`; range-for walks the values of a snapshot read in one
// round trip.

#include <cstddef>
#include <vector>

#include <mpactor/actors/proxies/base_proxy.hpp>
#include <mpactor/actors/proxies/item_ref.hpp>
#include <mpactor/actors/proxies/snapshot_iterator.hpp>

namespace mpactor {

class ArrayProxy : public BaseProxy {
public:
  using BaseProxy::BaseProxy;

  std::size_t size() const { return call("size").get<std::size_t>(); }
  json get(long index) const { return call("get", {{"index", index}}); }
  template <class T>
  T get(long index) const { return call_as<T>("get", {{"index", index}}); }
  void set(long index, const json& value) const {
    call("set", {{"index", index}, {"value", value}});
  }
  json copy() const { return call("copy"); }

  /// `a[i]`: one element; IndexError when out of range.
  ItemRef operator[](long index) const { return ItemRef(*this, {{"index", index}}); }

  /// `x in a` (one round trip).
  bool contains(const json& value) const {
    for (auto& v : copy())
      if (v == value)
        return true;
    return false;
  }

  /// Range-for: the values of a snapshot read in one round trip.
  snapshot_iterator begin() const { return snapshot_iterator(copy()); }
  snapshot_end end() const { return {}; }
};

/// reversed(a): the values of `a` last to first (one round trip).
inline std::vector<json> reversed(const ArrayProxy& a) {
  auto items = a.copy();
  return std::vector<json>(items.rbegin(), items.rend());
}

} // namespace mpactor

#pragma once

// ListProxy: a managed list (Python's ListProxy). Indices may be negative.
// Values are json; typed reads (`get<int>(0)`, `get<ListProxy>(0)`) raise
// TypeError naming both types on a mismatch. copy() and extend() are one
// round trip for the whole list.

#include <cstddef>
#include <vector>

#include <mpactor/actors/proxies/base_proxy.hpp>

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
  template <class T>
  std::vector<T> to_vector() const {
    std::vector<T> out;
    for (auto& v : copy())
      out.push_back(convert<T>(v));
    return out;
  }
};

} // namespace mpactor

#pragma once

// ArrayProxy: a managed Array (Python's ArrayProxy): size(), get(i),
// set(i, value), copy(). Negative indices count from the end.

#include <cstddef>

#include <mpactor/actors/proxies/base_proxy.hpp>

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
};

} // namespace mpactor

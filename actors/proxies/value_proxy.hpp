#pragma once

// ValueProxy: a managed Value (Python's ValueProxy): get() and set().

#include <mpactor/actors/proxies/base_proxy.hpp>

namespace mpactor {

class ValueProxy : public BaseProxy {
public:
  using BaseProxy::BaseProxy;

  json get() const { return call("get"); }
  template <class T>
  T get() const { return call_as<T>("get"); }
  void set(const json& value) const { call("set", {{"value", value}}); }
};

} // namespace mpactor

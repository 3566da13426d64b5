#pragma once

// AutoProxy: a proxy for objects of registered C++ classes (Python's
// AutoProxy): call_method("add", 1, 2) calls the exposed method with
// positional arguments and returns its result as json, or as R with
// call_method<R>(...). A result that is a managed object converts to its
// proxy type: call_method<ListProxy>("make_list").

#include <string>

#include <mpactor/actors/proxies/base_proxy.hpp>

namespace mpactor {

class AutoProxy : public BaseProxy {
public:
  using BaseProxy::BaseProxy;

  template <class R = json, class... Args>
  R call_method(const std::string& name, Args&&... args) const {
    json positional = json::array();
    (positional.push_back(json(std::forward<Args>(args))), ...);
    return call_as<R>(name, {{"args", std::move(positional)}});
  }
};

} // namespace mpactor

#pragma once

// NamespaceProxy: a managed Namespace (Python's NamespaceProxy).
//
// get() returns a copy of the attribute: `ns.get("x").push_back(1)` changes
// only the copy (the tutorial's pitfall). Assign it back with set(), or store
// a managed list there and mutate it through get<ListProxy>("x").
// `ns["x"]` reads and `ns["x"] = v` writes an attribute (ItemRef, one round
// trip each; Python's ns.x). to_string() prints as Python does: `Namespace(x=[], y=['x'])`.

#include <string>

#include <mpactor/actors/proxies/base_proxy.hpp>
#include <mpactor/actors/proxies/item_ref.hpp>

namespace mpactor {

class NamespaceProxy : public BaseProxy {
public:
  using BaseProxy::BaseProxy;

  void set(const std::string& name, const json& value) const {
    call("set", {{"name", name}, {"value", value}});
  }
  /// The attribute's value (a copy); AttributeError if it has none.
  json get(const std::string& name) const { return call("get", {{"name", name}}); }
  template <class T>
  T get(const std::string& name) const { return call_as<T>("get", {{"name", name}}); }
  /// Removes the attribute; AttributeError if it has none.
  void erase(const std::string& name) const { call("erase", {{"name", name}}); }
  bool contains(const std::string& name) const {
    return call("contains", {{"name", name}}).get<bool>();
  }
  /// `ns[name]`: the attribute; reading it raises AttributeError if absent.
  ItemRef operator[](const std::string& name) const {
    return ItemRef(*this, {{"name", name}});
  }

  /// All attributes, in one round trip.
  json items() const { return call("items"); }

  /// Python's repr: Namespace(x=[], y=['x']).
  std::string to_string() const {
    std::string out = "Namespace(";
    bool first = true;
    auto attrs = items();
    for (auto& [k, v] : attrs.items()) {
      out += (first ? "" : ", ") + k + "=" + python_repr(v);
      first = false;
    }
    return out + ")";
  }
};

} // namespace mpactor

#pragma once

// namespace_actor: the state and handlers of a managed Namespace: named
// attributes, each a json value (Python's Namespace).
//
// Methods: set(name, value)  get(name)  erase(name)  contains(name)  items().
// A missing name is an AttributeError (a KeyError). get returns a copy:
// changing that copy changes nothing in the Namespace, which is the
// tutorial's second pitfall; assign it back, or store a managed list (a
// proxy) whose mutations do propagate.

#include <map>

#include <mpactor/actors/objects/managed_object.hpp>
#include <mpactor/actors/runtime/object_table.hpp>

namespace mpactor {

class namespace_object : public managed_object {
public:
  namespace_object(const json& init, object_table& table);
  ~namespace_object() override;

  outcome call(call_context& ctx, const std::string& method, json& args) override;

private:
  object_table& table_;
  std::map<std::string, json> attrs_; // sorted, as Python's repr shows them
};

} // namespace mpactor

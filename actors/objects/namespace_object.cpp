#include <mpactor/actors/objects/namespace_object.hpp>

#include <mpactor/shm/error.hpp>

namespace mpactor {

namespace_object::namespace_object(const json& init, object_table& table)
  : table_(table) {
  if (init.is_object()) {
    for (auto& [k, v] : init.items()) {
      table_.hold(v);
      attrs_[k] = v;
    }
  }
}

namespace_object::~namespace_object() {
  for (auto& [k, v] : attrs_)
    table_.drop(v);
}

outcome namespace_object::call(call_context& ctx, const std::string& m,
                                         json& args) {
  if (m == "items") {
    json out = json::object();
    for (auto& [k, v] : attrs_)
      out[k] = v;
    return out;
  }
  auto name = required_arg<std::string>(args, "name");
  if (m == "get") {
    auto it = attrs_.find(name);
    if (it == attrs_.end())
      throw AttributeError("'Namespace' object has no attribute '" + name + "'");
    return it->second;
  }
  if (m == "set") {
    auto& v = args["value"];
    table_.hold(v);
    auto& slot = attrs_[name];
    table_.drop(slot);
    slot = std::move(v);
    return json{};
  }
  if (m == "erase") {
    auto it = attrs_.find(name);
    if (it == attrs_.end())
      throw AttributeError("'Namespace' object has no attribute '" + name + "'");
    ctx.drop_after_reply(std::move(it->second));
    attrs_.erase(it);
    return json{};
  }
  if (m == "contains")
    return attrs_.count(name) > 0;
  return no_such_method("Namespace", m);
}

} // namespace mpactor

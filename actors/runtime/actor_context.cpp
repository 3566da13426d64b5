#include <mpactor/actors/runtime/actor_context.hpp>

#include <mpactor/actors/runtime/object_table.hpp>
#include <mpactor/actors/core/token.hpp>
#include <mpactor/shm/error.hpp>

namespace mpactor {

actor_context::~actor_context() {
  table_.drop(held_);
}

caf::actor actor_context::actor_of(const json& marker) const {
  auto t = Token::from_marker(marker);
  if (!t)
    throw TypeError("expected a proxy (reference marker), got " + json_type_name(marker) + " ("
                    + python_repr(marker) + ")");
  if (!t->is_local())
    throw ValueError("object " + std::to_string(t->id) + " belongs to the manager at "
                     + t->address.to_string() + ", not to this node");
  auto a = table_.find(t->id);
  if (!a)
    throw RemoteError("no managed object with id " + std::to_string(t->id) + " (it was freed)");
  return a;
}

json actor_context::create(const std::string& type_id, json args) {
  auto id = table_.create(type_id, args);
  json marker = Token{type_id, id, Address{"", 0}}.to_marker();
  hold(marker);
  return marker;
}

void actor_context::hold(const json& value) {
  if (!object_table::has_markers(value))
    return;
  table_.hold(value);
  std::lock_guard<std::mutex> guard{mtx_};
  held_.push_back(value);
}

} // namespace mpactor

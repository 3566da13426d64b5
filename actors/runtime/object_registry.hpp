#pragma once

// object_registry: the type ids a server can create objects of (Python's
// registry): each maps to a factory that makes the object's state from the
// create call's arguments. A SyncManager's server knows list, dict,
// Namespace, Queue, ...; BaseManager::register_type adds user classes,
// register_actor user actor types. It also keeps the methods a type id
// exposes and those whose result is a new object of another type id
// (Python's exposed and method_to_typeid), for clients that ask (Python's
// AutoProxy builds its methods from them).
// Filled before the server starts; read-only while it serves.

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <mpactor/actors/runtime/actor_context.hpp>
#include <mpactor/actors/core/json.hpp>
#include <mpactor/actors/objects/managed_object.hpp>

namespace mpactor {

/// Makes the state of a new object from the create call's arguments.
using object_factory =
  std::function<std::shared_ptr<managed_object>(const json& args, object_table& table)>;

class object_registry {
public:
  /// Registers (or replaces) `type_id`.
  void add(const std::string& type_id, object_factory factory) {
    factories_[type_id] = std::move(factory);
  }

  /// Registers `type_id` as the name of one shared object of type
  /// `base_type_id`, made from `args` on first use: every create of
  /// `type_id` hands out that same object, which lives as long as the
  /// server (Python's register('get_queue', callable=lambda: queue)).
  void add_shared(const std::string& type_id, const std::string& base_type_id,
                  json args = json::object()) {
    shared_[type_id] = {base_type_id, std::move(args)};
  }

  /// Registers (or replaces) `type_id` as a user actor type: creating one
  /// spawns an actor made by `spawner` in the server (actor_context.hpp).
  void add_actor(const std::string& type_id, actor_spawner spawner) {
    actors_[type_id] = std::move(spawner);
  }

  /// The spawner of user actor type `type_id`, or nullptr.
  const actor_spawner* find_actor(const std::string& type_id) const {
    auto it = actors_.find(type_id);
    return it == actors_.end() ? nullptr : &it->second;
  }

  /// The base type id and arguments of shared type id `type_id`, or nullptr.
  const std::pair<std::string, json>* find_shared(const std::string& type_id) const {
    auto it = shared_.find(type_id);
    return it == shared_.end() ? nullptr : &it->second;
  }

  /// The factory of `type_id`, or nullptr.
  const object_factory* find(const std::string& type_id) const {
    auto it = factories_.find(type_id);
    return it == factories_.end() ? nullptr : &it->second;
  }

  /// Records that `type_id` exposes `method`, whose result becomes a new
  /// object of `result_type_id` when that is not empty.
  void add_exposed(const std::string& type_id, const std::string& method,
                   const std::string& result_type_id = {}) {
    auto& names = exposed_[type_id];
    if (std::find(names.begin(), names.end(), method) == names.end())
      names.push_back(method);
    if (!result_type_id.empty())
      result_types_[type_id][method] = result_type_id;
  }

  /// The methods `type_id` exposes, in the order they were added (empty
  /// when none were recorded: the built-in types' are the protocol's).
  std::vector<std::string> exposed(const std::string& type_id) const {
    auto it = exposed_.find(type_id);
    return it == exposed_.end() ? std::vector<std::string>{} : it->second;
  }

  /// The type id of the object `type_id`'s `method` returns, or "".
  std::string result_type(const std::string& type_id, const std::string& method) const {
    auto it = result_types_.find(type_id);
    if (it == result_types_.end())
      return {};
    auto m = it->second.find(method);
    return m == it->second.end() ? std::string{} : m->second;
  }

  std::vector<std::string> type_ids() const {
    std::vector<std::string> out;
    for (auto& [k, v] : factories_)
      out.push_back(k);
    for (auto& [k, v] : shared_)
      out.push_back(k);
    for (auto& [k, v] : actors_)
      out.push_back(k);
    return out;
  }

private:
  std::map<std::string, object_factory> factories_;
  std::map<std::string, std::pair<std::string, json>> shared_;
  std::map<std::string, actor_spawner> actors_;
  std::map<std::string, std::vector<std::string>> exposed_;
  std::map<std::string, std::map<std::string, std::string>> result_types_;
};

} // namespace mpactor

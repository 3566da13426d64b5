#include <mpactor/actors/server/manager_service.hpp>

#include <algorithm>

#include <caf/all.hpp>

#include <mpactor/actors/core/token.hpp>
#include <mpactor/actors/runtime/object_actor.hpp>
#include <mpactor/actors/runtime/user_actor.hpp>
#include <mpactor/shm/error.hpp>

namespace mpactor {

manager_service::manager_service(caf::actor_system& sys, object_table& table,
                                 std::shared_ptr<const object_registry> registry)
  : sys_(sys), table_(table), registry_(std::move(registry)) {
  // nop
}

json manager_service::call(const std::string& m, const json& args, std::uint64_t session) {
  if (m == "create") {
    auto type_id = args.at("typeid").get<std::string>();
    std::uint64_t id;
    if (auto* shared = registry_->find_shared(type_id)) {
      id = shared_object(type_id, *shared);
      type_id = shared->first;
      table_.grant(session, id);
    } else {
      id = create(type_id, args.value("args", json::object()), session);
    }
    // No address: "an object of the server you asked" (the server does
    // not know the address its clients use; see token.hpp).
    Token t{type_id, id, Address{"", 0}};
    return t.to_marker();
  }
  if (m == "decref") {
    table_.release(session, args.at("id").get<std::uint64_t>(), args.value("count", 1L));
    return json{};
  }
  if (m == "incref") {
    json missing = json::array();
    for (auto& id : args.at("ids"))
      if (!table_.grant(session, id.get<std::uint64_t>()))
        missing.push_back(id);
    return {{"missing", missing}};
  }
  if (m == "shutdown") {
    if (on_shutdown_)
      on_shutdown_();
    return json{};
  }
  if (m == "stats")
    return on_stats_ ? on_stats_() : json::object();
  if (m == "types")
    return registry_->type_ids();
  throw AttributeError("the manager has no method '" + m + "'");
}

std::uint64_t manager_service::create(const std::string& type_id, const json& args,
                                      std::optional<std::uint64_t> creator) {
  if (auto* spawner = registry_->find_actor(type_id)) {
    auto spawned = spawn_user_actor(sys_, table_, type_id, *spawner, args, creator);
    std::lock_guard<std::mutex> guard{user_mtx_};
    user_actors_.erase(std::remove_if(user_actors_.begin(), user_actors_.end(),
                                      [](const spawned_actor& a) {
                                        return a.finished.wait_for(std::chrono::seconds(0))
                                               == std::future_status::ready;
                                      }),
                       user_actors_.end());
    user_actors_.push_back({caf::actor_cast<caf::actor_addr>(spawned.actor),
                            std::move(spawned.finished)});
    return spawned.id;
  }
  auto* factory = registry_->find(type_id);
  if (factory == nullptr)
    throw ValueError("unknown type id '" + type_id + "'");
  auto state = (*factory)(args, table_);
  auto actor = spawn_object_actor(sys_, state, table_);
  auto id = table_.add(type_id, std::move(actor), std::move(state));
  if (creator)
    table_.grant(*creator, id);
  return id;
}

// The one object behind a shared type id, made on first use; the server
// holds a reference of its own (session 0), so it lives while it serves.
std::uint64_t manager_service::shared_object(const std::string& name,
                                             const std::pair<std::string, json>& spec) {
  std::lock_guard<std::mutex> guard{shared_mtx_};
  auto it = shared_ids_.find(name);
  if (it != shared_ids_.end())
    return it->second;
  auto id = create(spec.first, spec.second);
  table_.grant(0, id);
  shared_ids_.emplace(name, id);
  return id;
}

void manager_service::stop_user_actors() {
  // User actors end, and what they attached runs, before the table they
  // refer to goes (actor_context.hpp); one that ignores the exit holds the
  // shutdown up for 5 s at most.
  std::vector<spawned_actor> users;
  {
    std::lock_guard<std::mutex> guard{user_mtx_};
    users.swap(user_actors_);
  }
  for (auto& u : users)
    if (auto a = caf::actor_cast<caf::actor>(u.addr))
      caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  for (auto& u : users)
    u.finished.wait_until(deadline);
}

} // namespace mpactor

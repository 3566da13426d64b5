#include <mpactor/actors/runtime/object_table.hpp>

#include <caf/all.hpp>

#include <mpactor/actors/core/token.hpp>
#include <mpactor/actors/objects/managed_object.hpp>

namespace mpactor {

namespace {

template <class F>
void for_each_marker(const json& value, F&& fn) {
  if (value.is_array()) {
    for (auto& x : value)
      for_each_marker(x, fn);
  } else if (value.is_object()) {
    if (auto t = Token::from_marker(value)) {
      if (t->is_local()) // another server's object is a plain value here
        fn(t->id);
      return;
    }
    for (auto& x : value)
      for_each_marker(x, fn);
  }
}

} // namespace

bool object_table::has_markers(const json& value) {
  bool found = false;
  for_each_marker(value, [&](std::uint64_t) { found = true; });
  return found;
}

std::uint64_t object_table::add(std::string type_id, caf::actor actor,
                                std::shared_ptr<const managed_object> state) {
  std::lock_guard<std::shared_mutex> guard{mtx_};
  auto id = next_id_++;
  objects_.emplace(id, entry{std::move(actor), std::move(type_id), 0, std::move(state)});
  return id;
}

caf::actor object_table::find(std::uint64_t id) const {
  std::shared_lock<std::shared_mutex> guard{mtx_};
  auto it = objects_.find(id);
  return it == objects_.end() ? caf::actor{} : it->second.actor;
}

namespace {

bool waits(const std::shared_ptr<const managed_object>& state, const std::string& method) {
  return state != nullptr && state->may_wait(method);
}

} // namespace

object_table::target object_table::find_call(std::uint64_t id, const std::string& method) const {
  std::shared_lock<std::shared_mutex> guard{mtx_};
  auto it = objects_.find(id);
  if (it == objects_.end())
    return {};
  return {it->second.actor, waits(it->second.state, method)};
}

bool object_table::view::may_wait(const std::string& method) const {
  return waits(state, method);
}

object_table::view object_table::view_of(std::uint64_t id) const {
  std::shared_lock<std::shared_mutex> guard{mtx_};
  auto it = objects_.find(id);
  if (it == objects_.end())
    return {};
  return {it->second.actor, it->second.type_id, it->second.state};
}

std::shared_ptr<const managed_object> object_table::state_of(std::uint64_t id) const {
  std::shared_lock<std::shared_mutex> guard{mtx_};
  auto it = objects_.find(id);
  return it == objects_.end() ? nullptr : it->second.state;
}

std::string object_table::type_of(std::uint64_t id) const {
  std::shared_lock<std::shared_mutex> guard{mtx_};
  auto it = objects_.find(id);
  return it == objects_.end() ? std::string{} : it->second.type_id;
}

bool object_table::grant(std::uint64_t session, std::uint64_t id, long n) {
  std::lock_guard<std::shared_mutex> guard{mtx_};
  auto it = objects_.find(id);
  if (it == objects_.end())
    return false;
  it->second.refs += n;
  sessions_[session][id] += n;
  return true;
}

void object_table::grant_markers(std::uint64_t session, const json& value) {
  for_each_marker(value, [&](std::uint64_t id) { grant(session, id, 1); });
}

void object_table::release(std::uint64_t session, std::uint64_t id, long n) {
  std::vector<caf::actor> dead;
  {
    std::lock_guard<std::shared_mutex> guard{mtx_};
    auto s = sessions_.find(session);
    if (s == sessions_.end())
      return;
    auto r = s->second.find(id);
    if (r == s->second.end())
      return;
    n = std::min(n, r->second); // never more than the session was granted
    r->second -= n;
    if (r->second == 0)
      s->second.erase(r);
    unref_locked(id, n, dead);
  }
  stop(dead);
}

void object_table::end_session(std::uint64_t session) {
  std::vector<caf::actor> dead;
  {
    std::lock_guard<std::shared_mutex> guard{mtx_};
    auto s = sessions_.find(session);
    if (s == sessions_.end())
      return;
    auto refs = std::move(s->second);
    sessions_.erase(s);
    for (auto& [id, n] : refs)
      unref_locked(id, n, dead);
  }
  stop(dead);
}

void object_table::hold(const json& value) {
  for_each_marker(value, [&](std::uint64_t id) {
    std::lock_guard<std::shared_mutex> guard{mtx_};
    auto it = objects_.find(id);
    if (it != objects_.end())
      ++it->second.refs;
  });
}

void object_table::drop(const json& value) {
  std::vector<caf::actor> dead;
  for_each_marker(value, [&](std::uint64_t id) {
    std::lock_guard<std::shared_mutex> guard{mtx_};
    unref_locked(id, 1, dead);
  });
  stop(dead);
}

void object_table::unref_locked(std::uint64_t id, long n,
                                std::vector<caf::actor>& dead) {
  auto it = objects_.find(id);
  if (it == objects_.end())
    return;
  it->second.refs -= n;
  if (it->second.refs <= 0) {
    dead.push_back(std::move(it->second.actor));
    objects_.erase(it);
  }
}

void object_table::stop(std::vector<caf::actor>& dead) {
  for (auto& a : dead)
    caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  dead.clear();
}

std::size_t object_table::size() const {
  std::shared_lock<std::shared_mutex> guard{mtx_};
  return objects_.size();
}

std::unordered_map<std::string, std::size_t> object_table::count_by_type() const {
  std::shared_lock<std::shared_mutex> guard{mtx_};
  std::unordered_map<std::string, std::size_t> out;
  for (auto& [id, e] : objects_)
    ++out[e.type_id];
  return out;
}

void object_table::clear() {
  std::vector<caf::actor> dead;
  {
    std::lock_guard<std::shared_mutex> guard{mtx_};
    for (auto& [id, e] : objects_)
      dead.push_back(std::move(e.actor));
    objects_.clear();
    sessions_.clear();
  }
  stop(dead);
}

} // namespace mpactor

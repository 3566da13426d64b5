#include <mpactor/actors/server/session_table.hpp>

namespace mpactor {

std::uint64_t session_table::open(const std::string& key) {
  std::lock_guard<std::mutex> guard{mtx_};
  auto [it, fresh] = by_key_.emplace(key, 0);
  if (fresh) {
    it->second = next_++;
    sessions_[it->second].key = key;
  }
  ++sessions_[it->second].connections;
  return it->second;
}

void session_table::note_object(std::uint64_t session, std::uint64_t object) {
  std::lock_guard<std::mutex> guard{mtx_};
  auto it = sessions_.find(session);
  if (it != sessions_.end())
    it->second.objects.insert(object);
}

bool session_table::close(std::uint64_t session, std::set<std::uint64_t>& objects) {
  std::lock_guard<std::mutex> guard{mtx_};
  auto it = sessions_.find(session);
  if (it == sessions_.end() || --it->second.connections > 0)
    return false;
  objects = std::move(it->second.objects);
  by_key_.erase(it->second.key);
  sessions_.erase(it);
  return true;
}

std::size_t session_table::size() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return sessions_.size();
}

} // namespace mpactor

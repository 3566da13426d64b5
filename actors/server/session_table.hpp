#pragma once

// session_table: the client processes a server serves.
//
// A session is one client process: all connections that present the same
// session key (handshake.hpp). The server numbers sessions itself (from 1;
// 0 is the server's own references), so a client can neither pick another's
// number nor the server's. A session ends when its last connection closes:
// then the objects it waited on release what it held (locks, semaphore
// slots, waits) and the object table drops its references.

#include <cstdint>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>

namespace mpactor {

class session_table {
public:
  /// The session of `key`, opened if new; counts one more connection.
  std::uint64_t open(const std::string& key);

  /// Notes that `session` waited on `object` (it is told when the session ends).
  void note_object(std::uint64_t session, std::uint64_t object);

  /// Counts one connection of `session` less. When it was the last, ends
  /// the session and returns true with the objects to tell in `objects`.
  bool close(std::uint64_t session, std::set<std::uint64_t>& objects);

  /// Sessions open now.
  std::size_t size() const;

private:
  struct entry {
    std::string key;
    int connections = 0;
    std::set<std::uint64_t> objects;
  };
  mutable std::mutex mtx_;
  std::uint64_t next_ = 1;                                // guarded by mtx_
  std::unordered_map<std::string, std::uint64_t> by_key_; // guarded by mtx_
  std::unordered_map<std::uint64_t, entry> sessions_;     // guarded by mtx_
};

} // namespace mpactor

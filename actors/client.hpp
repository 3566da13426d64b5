#pragma once

// client: one process's link to one manager server.
//
// A client holds a pool of authenticated connections, one per thread calling
// at the same time (threads share proxies; each call borrows a connection),
// and a session id that the server uses to count this process's references
// and to know whose locks to release when the process is gone.
//
// Forked children: a child must not use its parent's sockets (Python resets
// them after fork too). At fork, the child closes every inherited client
// socket; a proxy used in the child reaches the child's own client, made on
// first use, which first re-registers the child's references to objects.
// The server ends a session when its last connection closes: when the
// process exits or is killed, its references and locks are released.

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <sys/types.h>

#include <mpactor/actors/address.hpp>
#include <mpactor/actors/connection.hpp>
#include <mpactor/actors/json.hpp>
#include <mpactor/actors/token.hpp>

namespace mpactor {

class object_ref;

class client : public std::enable_shared_from_this<client> {
public:
  /// The client of this process for `addr` (one per address and process).
  static std::shared_ptr<client> for_address(const Address& addr,
                                             const std::string& authkey);

  /// A new client for `addr`, replacing this process's current one: what a
  /// manager that starts or connects uses, so that proxies of an earlier
  /// server run on the same address fail clearly instead of reaching new
  /// objects.
  static std::shared_ptr<client> renew(const Address& addr, const std::string& authkey);

  /// Calls `method` of `object`; see connection::call.
  json call(std::uint64_t object, const std::string& method, json args);

  /// Sends a request without reply (best effort: nothing if the server is gone).
  void notify(std::uint64_t object, const std::string& method, json args) noexcept;

  /// The process-local reference to `token`, adding `grants` references the
  /// server counted for this session.
  std::shared_ptr<object_ref> adopt(const Token& token, int grants);

  /// Converts every reference marker in a reply into adopted references, kept
  /// in `keep` until the caller has made proxies of the ones it wants.
  void adopt_markers(const json& value, std::vector<std::shared_ptr<object_ref>>& keep);

  const Address& address() const noexcept { return addr_; }
  const std::string& authkey() const noexcept { return authkey_; }
  std::uint64_t session() const noexcept { return session_; }

  /// How long connecting and authenticating may take.
  static constexpr std::chrono::milliseconds connect_timeout{5000};

  client(Address addr, std::string authkey);

private:
  friend struct client_registry;

  std::shared_ptr<client> current();
  std::unique_ptr<connection> checkout();
  void checkin(std::unique_ptr<connection> conn);
  void regrant_after_fork(connection& conn);

  Address addr_;
  std::string authkey_;
  std::uint64_t session_;
  pid_t pid_;
  bool regrant_pending_ = false; // guarded by mtx_
  std::uint64_t incarnation_ = 0;  // guarded by mtx_: the server run first reached
  std::mutex mtx_;
  std::vector<std::unique_ptr<connection>> idle_; // guarded by mtx_
};

} // namespace mpactor

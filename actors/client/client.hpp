#pragma once

// client: one process's link to one manager server.
//
// A client gives each calling thread a connection of its own (threads share
// proxies; the calls of one thread stay in order), and holds one more, the
// anchor, that keeps the session open while the process lives and carries
// reference counts back. The session id tells the server whose references
// and locks to release when the process is gone.
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

#include <mpactor/actors/core/address.hpp>
#include <mpactor/actors/client/connection.hpp>
#include <mpactor/actors/core/json.hpp>
#include <mpactor/actors/core/token.hpp>

struct ssl_ctx_st;

namespace mpactor {

class object_ref;

class client : public std::enable_shared_from_this<client> {
public:
  /// The client of this process for `addr` (one per address and process);
  /// `tls` is used when a new client is made.
  static std::shared_ptr<client> for_address(const Address& addr,
                                             const std::string& authkey,
                                             std::shared_ptr<ssl_ctx_st> tls = nullptr,
                                             const std::string& lineage = {});

  /// A new client for `addr`, replacing this process's current one: what a
  /// manager that starts or connects uses, so that proxies of an earlier
  /// server run on the same address fail clearly instead of reaching new
  /// objects.
  static std::shared_ptr<client> renew(const Address& addr, const std::string& authkey,
                                       std::shared_ptr<ssl_ctx_st> tls = nullptr);

  /// Calls `method` of `object`; see connection::call.
  json call(std::uint64_t object, const std::string& method, json args);

  /// Sends `calls` pipelined and waits for all replies; see
  /// connection::call_many.
  void call_many(std::vector<connection::batch_call>& calls);

  /// Sends a call without waiting for its reply; see connection::send.
  void send(std::uint64_t object, const std::string& method, json args);

  /// Sends a request without reply (best effort: nothing if the server is gone).
  void notify(std::uint64_t object, const std::string& method, json args) noexcept;

  /// Opens one more authenticated socket of this client's session (for an
  /// async_link); ConnectionError if the server is gone or was restarted.
  std::unique_ptr<frame_socket> open_socket();

  /// Makes the markers in call arguments that name this client's server
  /// local to it (the server counts only its own markers).
  void localize_markers(json& args) const;

  /// A client of this process for `addr` made earlier (any authkey), or
  /// nullptr.
  static std::shared_ptr<client> find(const Address& addr);

  /// The process-local reference to `token`, adding `grants` references the
  /// server counted for this session.
  std::shared_ptr<object_ref> adopt(const Token& token, int grants);

  /// A reference to `token`'s object that this session did not receive in a
  /// reply (a proxy from another node, an actor handle): counted by an
  /// incref first. RemoteError if the object is gone.
  std::shared_ptr<object_ref> adopt_counted(const Token& token);

  /// Converts every reference marker in a reply into adopted references, kept
  /// in `keep` until the caller has made proxies of the ones it wants. With
  /// `address`, the markers also get this client's server address, so that
  /// they mean the same object anywhere.
  void adopt_markers(json& value, std::vector<std::shared_ptr<object_ref>>& keep,
                     bool address = false);

  const Address& address() const noexcept { return addr_; }
  const std::string& authkey() const noexcept { return authkey_; }
  /// The key that names this process's session to the server (handshake.hpp).
  const std::string& session_key() const noexcept { return session_; }

  /// How long connecting and authenticating may take.
  static constexpr std::chrono::milliseconds connect_timeout{5000};

  client(Address addr, std::string authkey, std::shared_ptr<ssl_ctx_st> tls = nullptr,
         std::string lineage = {});

  /// What this client's references are filed under: the same for a client
  /// and the one that replaces it in a forked child, different for a client
  /// of a later run of the server (renew), so that equal ids of two server
  /// runs are never taken for one object.
  const std::string& lineage() const noexcept { return lineage_; }

  /// The TLS context of this client's connections (none: plain).
  const std::shared_ptr<ssl_ctx_st>& tls() const noexcept { return tls_; }

private:
  friend struct client_registry;

  std::shared_ptr<client> current();
  connection& mine();
  std::unique_ptr<connection> open();
  void regrant_after_fork(connection& conn);

  Address addr_;
  std::string authkey_;
  std::shared_ptr<ssl_ctx_st> tls_;
  std::string session_;
  pid_t pid_;
  bool regrant_pending_ = false; // guarded by mtx_
  std::uint64_t incarnation_ = 0;  // guarded by mtx_: the server run first reached
  std::uint64_t serial_; // names this client in threads' connection tables
  std::string lineage_;
  std::mutex mtx_;
  std::unique_ptr<connection> anchor_; // guarded by mtx_
};

} // namespace mpactor

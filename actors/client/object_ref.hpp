#pragma once

// object_ref: a process's reference to one managed object.
//
// All proxies of one object in one process share one object_ref. It counts
// the references the server granted this process's session (one per reply
// that carried the object, one per explicit incref) and gives them all back
// in one decref when the last proxy goes away. A reference copied into a
// forked child gives nothing back for the parent; the child's client
// re-registers it under the child's session.

#include <atomic>
#include <memory>

#include <sys/types.h>

#include <mpactor/actors/core/token.hpp>

namespace mpactor {

class client;

class object_ref {
public:
  object_ref(Token token, std::shared_ptr<client> owner, int grants);
  ~object_ref();

  object_ref(const object_ref&) = delete;
  object_ref& operator=(const object_ref&) = delete;

  const Token& token() const noexcept { return token_; }
  const std::shared_ptr<client>& owner() const noexcept { return owner_; }

private:
  friend class client;

  Token token_;
  std::shared_ptr<client> owner_;
  std::atomic<int> grants_;
  pid_t grant_pid_;
};

} // namespace mpactor

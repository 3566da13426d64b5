#pragma once

// lock_actor: the state and handlers of a managed Lock or RLock.
//
//   acquire(block, timeout, thread) -> bool     release(thread)   locked()
//   n_waiting()
// The owner is the caller (session, thread): the process and thread that
// acquired, whatever proxy object it used. An RLock counts re-acquisitions
// by its owner and only the owner may release it; a Lock may be released by
// any caller while held (as Python's threading.Lock). Releasing a free lock
// is a RuntimeError (as Python). Waiting acquirers are served in arrival order; a timed-out
// one gets false. A blocking acquire without timeout of a Lock its caller
// holds would never end: ValueError. When a session ends (its process died)
// its holds are released and its waiters dropped. n_waiting() counts the
// acquirers still waiting (so a test can know a waiter has reached the server).

#include <optional>

#include <mpactor/actors/objects/managed_object.hpp>
#include <mpactor/actors/objects/waiter_list.hpp>

namespace mpactor {

class lock_object : public managed_object {
public:
  explicit lock_object(bool recursive) : recursive_(recursive) {
    // nop
  }

  outcome call(call_context& ctx, const std::string& method, json& args) override;
  void expire(call_context& ctx, std::uint64_t ticket) override;
  bool may_wait(const std::string& m) const noexcept override { return m == "acquire"; }
  void cancel(std::uint64_t connection) override;
  void undelivered(call_context& ctx, std::uint64_t connection, const std::string& method,
                   json& result) override;
  void release(call_context& ctx, std::uint64_t session) override;

private:
  void hand_on(call_context& ctx);

  bool recursive_;
  std::optional<caller> owner_;
  unsigned count_ = 0;
  waiter_list waiters_;
};

} // namespace mpactor

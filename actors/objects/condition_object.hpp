#pragma once

// condition_actor: the state and handlers of a managed Condition (with its
// own RLock, as Python's default Condition).
//
//   acquire(block, timeout, thread) -> bool   release(thread)
//   wait(timeout, thread) -> bool   notify(n = 1)   notify_all()   n_waiting()
// wait() releases the lock however deeply the caller holds it, waits for a
// notify or the timeout, and answers once the caller holds the lock again at
// the same depth: true if notified, false on timeout. wait, notify and
// release without holding the lock are RuntimeErrors (as Python). A session
// that ends gives the lock up and leaves the queues. n_waiting() counts the
// waits that no notify has reached yet (the ones a notify would wake), so a
// test can know a waiter has reached the server.

#include <optional>

#include <mpactor/actors/objects/managed_object.hpp>
#include <mpactor/actors/objects/waiter_list.hpp>

namespace mpactor {

class condition_object : public managed_object {
public:
  outcome call(call_context& ctx, const std::string& method, json& args) override;
  void expire(call_context& ctx, std::uint64_t ticket) override;
  bool may_wait(const std::string& m) const noexcept override {
    return m == "acquire" || m == "wait";
  }
  void cancel(std::uint64_t connection) override;
  void release(call_context& ctx, std::uint64_t session) override;

private:
  bool owns(const caller& who) const { return owner_ && *owner_ == who; }
  void hand_on(call_context& ctx);

  std::optional<caller> owner_;
  unsigned count_ = 0;
  // Waiting for the lock; data: {"depth": n, "result": the reply}.
  waiter_list lock_waiters_;
  // Waiting for a notify; data: {"depth": n}.
  waiter_list cond_waiters_;
};

} // namespace mpactor

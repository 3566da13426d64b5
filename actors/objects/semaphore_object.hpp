#pragma once

// semaphore_actor: the state and handlers of a managed Semaphore or
// BoundedSemaphore.
//
//   acquire(block, timeout) -> bool    release(n = 1)    value()   n_waiting()
// A BoundedSemaphore released above its initial value raises ValueError.
// Slots taken by a session are given back when the session ends (its
// process died), so the others go on. n_waiting() counts the acquirers still
// waiting (so a test can know a waiter has reached the server).

#include <unordered_map>

#include <mpactor/actors/objects/managed_object.hpp>
#include <mpactor/actors/objects/waiter_list.hpp>

namespace mpactor {

class semaphore_object : public managed_object {
public:
  semaphore_object(const json& args, bool bounded);

  outcome call(call_context& ctx, const std::string& method, json& args) override;
  void expire(call_context& ctx, std::uint64_t ticket) override;
  bool may_wait(const std::string& m) const noexcept override { return m == "acquire"; }
  void cancel(std::uint64_t connection) override;
  void release(call_context& ctx, std::uint64_t session) override;

private:
  void wake(call_context& ctx);

  bool bounded_;
  long initial_;
  long value_;
  waiter_list waiters_;
  std::unordered_map<std::uint64_t, long> held_; // slots per session
};

} // namespace mpactor

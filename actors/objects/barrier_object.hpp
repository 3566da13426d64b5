#pragma once

// barrier_actor: the state and handlers of a managed Barrier.
//
//   wait(timeout) -> index   abort()   reset()   parties()   n_waiting()
//   broken()
// The parties-th wait releases all waiters; each gets its arrival index
// (0 .. parties-1). A wait that times out breaks the barrier, as does
// abort(): every waiter, and every later wait, gets BrokenBarrierError until
// reset(). reset() breaks the current waiters and makes the barrier usable.

#include <mpactor/actors/objects/managed_object.hpp>
#include <mpactor/actors/objects/waiter_list.hpp>

namespace mpactor {

class barrier_object : public managed_object {
public:
  explicit barrier_object(const json& args);

  outcome call(call_context& ctx, const std::string& method, json& args) override;
  void expire(call_context& ctx, std::uint64_t ticket) override;
  bool may_wait(const std::string& m) const noexcept override { return m == "wait"; }
  void cancel(std::uint64_t connection) override;
  void release(call_context& ctx, std::uint64_t session) override;

private:
  void break_all();

  long parties_;
  std::optional<double> default_timeout_;
  bool broken_ = false;
  waiter_list waiters_; // data: the arrival index
};

} // namespace mpactor

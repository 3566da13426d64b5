#pragma once

// event_actor: the state and handlers of a managed Event.
//
//   is_set()   set()   clear()   wait(timeout) -> bool   n_waiting()
// wait() answers true at once if the flag is set, else when set() is called
// (true) or its timeout passes (false). n_waiting() counts the waits not yet
// answered (so a test can know a waiter has reached the server).

#include <mpactor/actors/objects/managed_object.hpp>
#include <mpactor/actors/objects/waiter_list.hpp>

namespace mpactor {

class event_object : public managed_object {
public:
  outcome call(call_context& ctx, const std::string& m, json& args) override {
    if (m == "is_set")
      return flag_;
    if (m == "set") {
      flag_ = true;
      while (!waiters_.empty()) {
        auto w = waiters_.pop_front();
        ctx.deliver(w.promise, w.who, true);
      }
      return json{};
    }
    if (m == "clear") {
      flag_ = false;
      return json{};
    }
    if (m == "wait") {
      if (flag_)
        return true;
      return waiters_.wait_or_refuse(ctx, args);
    }
    if (m == "n_waiting")
      return waiters_.size();
    return no_such_method("Event", m);
  }

  void expire(call_context& ctx, std::uint64_t ticket) override {
    if (auto w = waiters_.take(ticket))
      ctx.deliver(w->promise, w->who, false);
  }

  bool may_wait(const std::string& m) const noexcept override { return m == "wait"; }
  void cancel(std::uint64_t connection) override { waiters_.cancel(connection); }

private:
  bool flag_ = false;
  waiter_list waiters_;
};

} // namespace mpactor

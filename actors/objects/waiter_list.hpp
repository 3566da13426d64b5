#pragma once

// waiter_list: the deferred calls an object keeps while they cannot complete
// (a Queue's getters, a Lock's acquirers, an Event's waiters), in arrival
// order. Each waiter has a ticket; with a timeout, the object's expire(ticket)
// takes it out and answers it (Empty, false, ...). A gone connection's waiters
// are dropped unanswered (cancel).

#include <cstdint>
#include <list>
#include <optional>

#include <caf/response_promise.hpp>

#include <mpactor/actors/objects/managed_object.hpp>

namespace mpactor {

struct waiter {
  caf::response_promise promise;
  caller who;
  std::uint64_t ticket = 0;
  json data; ///< what the object needs to complete it (an item to put, ...)
};

class waiter_list {
public:
  /// Adds a waiter; with a timeout, arranges its expiry.
  void add(call_context& ctx, caf::response_promise rp, std::optional<double> timeout,
           json data = {}) {
    waiter w{std::move(rp), ctx.who(), 0, std::move(data)};
    if (timeout)
      w.ticket = ctx.expire_after(*timeout);
    items_.push_back(std::move(w));
  }

  /// The usual end of a blocking call that cannot complete now: false at
  /// once when `args` say block = false or a timeout of zero; otherwise a
  /// deferred reply, kept as a waiter with `data` until it is completed or
  /// its timeout passes.
  outcome wait_or_refuse(call_context& ctx, const json& args, json data = {}) {
    if (!arg<bool>(args, "block", true))
      return false;
    auto t = timeout_arg(args);
    if (t && *t <= 0)
      return false;
    auto rp = ctx.defer();
    add(ctx, rp, t, std::move(data));
    return rp;
  }

  bool empty() const noexcept { return items_.empty(); }
  std::size_t size() const noexcept { return items_.size(); }

  waiter& front() { return items_.front(); }

  waiter pop_front() {
    auto w = std::move(items_.front());
    items_.pop_front();
    return w;
  }

  /// Takes out the waiter of `ticket`, if it still waits.
  std::optional<waiter> take(std::uint64_t ticket) {
    for (auto it = items_.begin(); it != items_.end(); ++it)
      if (it->ticket == ticket) {
        auto w = std::move(*it);
        items_.erase(it);
        return w;
      }
    return std::nullopt;
  }

  /// Drops the waiters of `connection` unanswered.
  void cancel(std::uint64_t connection) {
    items_.remove_if([&](const waiter& w) { return w.who.connection == connection; });
  }

  /// Takes out all waiters of `session`.
  std::list<waiter> take_session(std::uint64_t session) {
    std::list<waiter> out;
    for (auto it = items_.begin(); it != items_.end();) {
      if (it->who.session == session)
        out.splice(out.end(), items_, it++);
      else
        ++it;
    }
    return out;
  }

  std::list<waiter>& items() noexcept { return items_; }

private:
  std::list<waiter> items_;
};

} // namespace mpactor

#include <mpactor/actors/objects/condition_object.hpp>

namespace mpactor {

void condition_object::hand_on(call_context& ctx) {
  if (owner_ || lock_waiters_.empty())
    return;
  auto w = lock_waiters_.pop_front();
  owner_ = w.who;
  count_ = w.data.value("depth", 1u);
  ctx.deliver(w.promise, w.who, w.data.value("result", true));
}

outcome condition_object::call(call_context& ctx, const std::string& m,
                                         json& args) {
  const auto& who = ctx.who();
  if (m == "acquire") {
    if (!owner_) {
      owner_ = who;
      count_ = 1;
      return true;
    }
    if (owns(who)) {
      ++count_;
      return true;
    }
    return lock_waiters_.wait_or_refuse(ctx, args, {{"depth", 1}, {"result", true}});
  }
  if (m == "release") {
    if (!owns(who))
      return make_error(error_code::runtime_error, "cannot release un-acquired lock");
    if (--count_ == 0) {
      owner_.reset();
      hand_on(ctx);
    }
    return json{};
  }
  if (m == "wait") {
    if (!owns(who))
      return make_error(error_code::runtime_error, "cannot wait on un-acquired lock");
    auto depth = count_;
    owner_.reset();
    count_ = 0;
    auto rp = ctx.defer();
    cond_waiters_.add(ctx, rp, timeout_arg(args), {{"depth", depth}});
    hand_on(ctx);
    return rp;
  }
  if (m == "notify" || m == "notify_all") {
    if (!owns(who))
      return make_error(error_code::runtime_error, "cannot notify on un-acquired lock");
    auto n = m == "notify_all" ? cond_waiters_.size()
                               : static_cast<std::size_t>(arg<long>(args, "n", 1));
    for (std::size_t i = 0; i < n && !cond_waiters_.empty(); ++i) {
      auto w = cond_waiters_.pop_front();
      // Notified: it now waits for the lock, and will answer true.
      lock_waiters_.items().push_back(
        waiter{std::move(w.promise), w.who, 0, {{"depth", w.data["depth"]}, {"result", true}}});
    }
    return json{};
  }
  if (m == "n_waiting")
    return cond_waiters_.size();
  return no_such_method("Condition", m);
}

void condition_object::expire(call_context& ctx, std::uint64_t ticket) {
  if (auto w = cond_waiters_.take(ticket)) {
    // Timed out: it still has to get the lock back, then answers false.
    lock_waiters_.items().push_back(
      waiter{std::move(w->promise), w->who, 0, {{"depth", w->data["depth"]}, {"result", false}}});
    hand_on(ctx);
  } else if (auto l = lock_waiters_.take(ticket)) {
    ctx.deliver(l->promise, l->who, false);
  }
}

void condition_object::cancel(std::uint64_t connection) {
  lock_waiters_.cancel(connection);
  cond_waiters_.cancel(connection);
}

void condition_object::release(call_context& ctx, std::uint64_t session) {
  lock_waiters_.take_session(session);
  cond_waiters_.take_session(session);
  if (owner_ && owner_->session == session) {
    owner_.reset();
    count_ = 0;
    hand_on(ctx);
  }
}

} // namespace mpactor

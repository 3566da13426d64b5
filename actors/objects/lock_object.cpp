#include <mpactor/actors/objects/lock_object.hpp>

namespace mpactor {

outcome lock_object::call(call_context& ctx, const std::string& m, json& args) {
  const auto& who = ctx.who();
  const char* type = recursive_ ? "RLock" : "Lock";
  if (m == "acquire") {
    if (!owner_) {
      owner_ = who;
      count_ = 1;
      return true;
    }
    if (*owner_ == who) {
      if (recursive_) {
        ++count_;
        return true;
      }
      if (arg<bool>(args, "block", true) && !timeout_arg(args))
        return make_error(error_code::value_error,
                          "Lock.acquire: the caller already holds this Lock; "
                          "waiting would deadlock (use RLock)");
    }
    return waiters_.wait_or_refuse(ctx, args);
  }
  if (m == "release") {
    if (!owner_)
      return make_error(error_code::runtime_error,
                        std::string{type} + ".release: release unlocked lock");
    if (recursive_ && !(*owner_ == who))
      return make_error(error_code::runtime_error,
                        "RLock.release: cannot release un-acquired lock");
    if (--count_ == 0) {
      owner_.reset();
      hand_on(ctx);
    }
    return json{};
  }
  if (m == "locked")
    return owner_.has_value();
  if (m == "n_waiting")
    return waiters_.size();
  return no_such_method(type, m);
}

void lock_object::hand_on(call_context& ctx) {
  if (owner_ || waiters_.empty())
    return;
  auto w = waiters_.pop_front();
  owner_ = w.who;
  count_ = 1;
  ctx.deliver(w.promise, w.who, true);
}

void lock_object::expire(call_context& ctx, std::uint64_t ticket) {
  if (auto w = waiters_.take(ticket))
    ctx.deliver(w->promise, w->who, false);
}

void lock_object::undelivered(call_context& ctx, std::uint64_t connection,
                              const std::string& method, json& result) {
  // A hold whose grant was never read: nobody can release it.
  if (method == "acquire" && result == true && owner_ && owner_->connection == connection) {
    owner_.reset();
    count_ = 0;
    hand_on(ctx);
  }
}

void lock_object::cancel(std::uint64_t connection) {
  waiters_.cancel(connection);
}

void lock_object::release(call_context& ctx, std::uint64_t session) {
  waiters_.take_session(session);
  if (owner_ && owner_->session == session) {
    owner_.reset();
    count_ = 0;
    hand_on(ctx);
  }
}

} // namespace mpactor

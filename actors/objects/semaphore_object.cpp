#include <mpactor/actors/objects/semaphore_object.hpp>

#include <mpactor/shm/error.hpp>

namespace mpactor {

semaphore_object::semaphore_object(const json& args, bool bounded)
  : bounded_(bounded), initial_(arg<long>(args, "value", 1)), value_(initial_) {
  if (initial_ < 0)
    throw ValueError("semaphore initial value must be >= 0");
}

void semaphore_object::wake(call_context& ctx) {
  while (value_ > 0 && !waiters_.empty()) {
    auto w = waiters_.pop_front();
    --value_;
    ++held_[w.who.session];
    ctx.deliver(w.promise, w.who, true);
  }
}

outcome semaphore_object::call(call_context& ctx, const std::string& m,
                                         json& args) {
  const char* type = bounded_ ? "BoundedSemaphore" : "Semaphore";
  if (m == "acquire") {
    if (value_ > 0) {
      --value_;
      ++held_[ctx.who().session];
      return true;
    }
    return waiters_.wait_or_refuse(ctx, args);
  }
  if (m == "release") {
    auto n = arg<long>(args, "n", 1);
    if (n < 1)
      return make_error(error_code::value_error, "n must be one or more");
    if (bounded_ && value_ + n > initial_)
      return make_error(error_code::value_error, "Semaphore released too many times");
    value_ += n;
    auto& mine = held_[ctx.who().session];
    mine = mine > n ? mine - n : 0;
    wake(ctx);
    return json{};
  }
  if (m == "value")
    return value_;
  if (m == "n_waiting")
    return waiters_.size();
  return no_such_method(type, m);
}

void semaphore_object::expire(call_context& ctx, std::uint64_t ticket) {
  if (auto w = waiters_.take(ticket))
    ctx.deliver(w->promise, w->who, false);
}

void semaphore_object::cancel(std::uint64_t connection) {
  waiters_.cancel(connection);
}

void semaphore_object::release(call_context& ctx, std::uint64_t session) {
  waiters_.take_session(session);
  auto it = held_.find(session);
  if (it == held_.end())
    return;
  value_ += it->second;
  if (bounded_ && value_ > initial_)
    value_ = initial_;
  held_.erase(it);
  wake(ctx);
}

} // namespace mpactor

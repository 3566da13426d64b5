#include <mpactor/actors/objects/barrier_object.hpp>

#include <mpactor/shm/error.hpp>

namespace mpactor {

barrier_object::barrier_object(const json& args)
  : parties_(arg<long>(args, "parties", 1)), default_timeout_(timeout_arg(args)) {
  if (parties_ < 1)
    throw ValueError("parties must be >= 1");
}

void barrier_object::break_all() {
  broken_ = true;
  while (!waiters_.empty()) {
    auto w = waiters_.pop_front();
    w.promise.deliver(make_error(error_code::broken_barrier_error, "the barrier is broken"));
  }
}

outcome barrier_object::call(call_context& ctx, const std::string& m,
                                       json& args) {
  if (m == "wait") {
    if (broken_)
      return make_error(error_code::broken_barrier_error, "the barrier is broken");
    auto index = static_cast<long>(waiters_.size());
    if (index + 1 == parties_) {
      while (!waiters_.empty()) {
        auto w = waiters_.pop_front();
        ctx.deliver(w.promise, w.who, w.data);
      }
      return index;
    }
    auto t = args.contains("timeout") && !args["timeout"].is_null() ? timeout_arg(args)
                                                                    : default_timeout_;
    auto rp = ctx.defer();
    waiters_.add(ctx, rp, t, index);
    return rp;
  }
  if (m == "abort") {
    break_all();
    return json{};
  }
  if (m == "reset") {
    break_all();
    broken_ = false;
    return json{};
  }
  if (m == "parties")
    return parties_;
  if (m == "n_waiting")
    return waiters_.size();
  if (m == "broken")
    return broken_;
  return no_such_method("Barrier", m);
}

void barrier_object::expire(call_context&, std::uint64_t ticket) {
  if (auto w = waiters_.take(ticket)) {
    w->promise.deliver(make_error(error_code::broken_barrier_error,
                                  "the barrier is broken (a wait timed out)"));
    break_all();
  }
}

void barrier_object::cancel(std::uint64_t connection) {
  // A waiter whose connection closed (its process died) never arrives: the
  // others would wait forever. The server cancels before it releases the
  // session, so release() alone would find the waiter already gone.
  auto before = waiters_.size();
  waiters_.cancel(connection);
  if (waiters_.size() != before)
    break_all();
}

void barrier_object::release(call_context&, std::uint64_t session) {
  // A party died while waiting: the others would wait forever.
  if (!waiters_.take_session(session).empty())
    break_all();
}

} // namespace mpactor

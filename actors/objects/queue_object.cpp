#include <mpactor/actors/objects/queue_object.hpp>

#include <mpactor/shm/error.hpp>

namespace mpactor {

queue_object::queue_object(const json& args, object_table& table, bool joinable)
  : table_(table), joinable_(joinable) {
  auto m = arg<long long>(args, "maxsize", 0);
  maxsize_ = m > 0 ? static_cast<std::size_t>(m) : 0;
}

queue_object::~queue_object() {
  for (auto& v : items_)
    table_.drop(v);
  for (auto& w : putters_.items())
    table_.drop(w.data);
}

void queue_object::admit_putters(call_context& ctx) {
  while (!putters_.empty() && !is_full()) {
    auto w = putters_.pop_front();
    items_.push_back(std::move(w.data)); // still held: it was held on waiting
    if (joinable_)
      ++unfinished_;
    ctx.deliver(w.promise, w.who, json{});
  }
}

void queue_object::finish_joins(call_context& ctx) {
  while (unfinished_ == 0 && !joiners_.empty()) {
    auto w = joiners_.pop_front();
    ctx.deliver(w.promise, w.who, true);
  }
}

outcome queue_object::call(call_context& ctx, const std::string& m, json& args) {
  if (m == "put") {
    auto& item = args["item"];
    if (!getters_.empty()) {
      // Someone waits: hand the item over directly.
      if (joinable_)
        ++unfinished_;
      auto w = getters_.pop_front();
      ctx.deliver(w.promise, w.who, std::move(item));
      return json{};
    }
    if (!is_full()) {
      table_.hold(item);
      items_.push_back(std::move(item));
      if (joinable_)
        ++unfinished_;
      return json{};
    }
    if (!arg<bool>(args, "block", true))
      return make_error(error_code::full, "queue is full");
    table_.hold(item);
    auto rp = ctx.defer();
    putters_.add(ctx, rp, timeout_arg(args), std::move(item));
    return rp;
  }
  if (m == "get") {
    if (!items_.empty()) {
      auto item = std::move(items_.front());
      items_.pop_front();
      ctx.drop_after_reply(item);
      admit_putters(ctx);
      return item;
    }
    if (!arg<bool>(args, "block", true))
      return make_error(error_code::empty, "queue is empty");
    auto rp = ctx.defer();
    getters_.add(ctx, rp, timeout_arg(args));
    return rp;
  }
  if (m == "qsize")
    return items_.size();
  if (m == "empty")
    return items_.empty();
  if (m == "full")
    return is_full();
  if (m == "n_waiting")
    return getters_.size() + putters_.size() + joiners_.size();
  if (joinable_ && m == "task_done") {
    if (unfinished_ == 0)
      return make_error(error_code::value_error, "task_done() called too many times");
    --unfinished_;
    finish_joins(ctx);
    return json{};
  }
  if (joinable_ && m == "join") {
    if (unfinished_ == 0)
      return true;
    auto t = timeout_arg(args);
    if (t && *t <= 0)
      return false;
    auto rp = ctx.defer();
    joiners_.add(ctx, rp, t);
    return rp;
  }
  return no_such_method(joinable_ ? "JoinableQueue" : "Queue", m);
}

void queue_object::expire(call_context& ctx, std::uint64_t ticket) {
  if (auto w = getters_.take(ticket)) {
    w->promise.deliver(make_error(error_code::empty, "queue is empty"));
  } else if (auto p = putters_.take(ticket)) {
    table_.drop(p->data);
    p->promise.deliver(make_error(error_code::full, "queue is full"));
  } else if (auto j = joiners_.take(ticket)) {
    ctx.deliver(j->promise, j->who, false);
  }
}

void queue_object::undelivered(call_context& ctx, std::uint64_t, const std::string& method,
                               json& result) {
  if (method != "get")
    return;
  // The item never reached its taker: it is the next one again.
  if (!getters_.empty()) {
    auto w = getters_.pop_front();
    ctx.deliver(w.promise, w.who, std::move(result));
    return;
  }
  table_.hold(result);
  items_.push_front(std::move(result));
}

void queue_object::cancel(std::uint64_t connection) {
  getters_.cancel(connection);
  for (auto& w : putters_.items())
    if (w.who.connection == connection)
      table_.drop(w.data);
  putters_.cancel(connection);
  joiners_.cancel(connection);
}

} // namespace mpactor

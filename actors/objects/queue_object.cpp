#include <mpactor/actors/objects/queue_object.hpp>

#include <algorithm>

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

// A waiting putter's data is the array of items it still has to put (one for
// put, the rest of the batch for put_many), each already held.
void queue_object::admit_putters(call_context& ctx) {
  while (!putters_.empty() && !is_full()) {
    auto& w = putters_.front();
    auto& left = w.data;
    std::size_t taken = 0;
    while (taken < left.size() && !is_full()) {
      items_.push_back(std::move(left[taken++])); // still held: it was held on waiting
      if (joinable_)
        ++unfinished_;
    }
    left.erase(left.begin(), left.begin() + static_cast<std::ptrdiff_t>(taken));
    if (!left.empty())
      break; // full again, this putter stays first
    auto done = putters_.pop_front();
    ctx.deliver(done.promise, done.who, json{});
  }
}

// Gives items from `items[from..]` to waiting getters; returns the index of
// the first item nobody took. A get waiter takes one; a get_many waiter takes
// up to its max (its data), in a list.
std::size_t queue_object::feed_getters(call_context& ctx, json& items, std::size_t from) {
  while (from < items.size() && !getters_.empty()) {
    auto w = getters_.pop_front();
    if (joinable_)
      ++unfinished_;
    if (w.data.is_null()) {
      ctx.deliver(w.promise, w.who, std::move(items[from++]));
      continue;
    }
    auto batch = json::array();
    batch.push_back(std::move(items[from++]));
    auto most = w.data.get<std::size_t>();
    while (from < items.size() && batch.size() < most) {
      if (joinable_)
        ++unfinished_;
      batch.push_back(std::move(items[from++]));
    }
    ctx.deliver(w.promise, w.who, std::move(batch));
  }
  return from;
}

// put_many: what can go in now goes in, in order; the rest waits as one
// putter (so no other put overtakes it) or, with block = false, is refused.
outcome queue_object::put_many(call_context& ctx, json& args) {
  auto& items = args["items"];
  if (!items.is_array())
    return make_error(error_code::type_error, "put_many: items must be a list");
  std::size_t i = putters_.empty() ? feed_getters(ctx, items, 0) : 0;
  while (i < items.size() && putters_.empty() && !is_full()) {
    table_.hold(items[i]);
    items_.push_back(std::move(items[i++]));
    if (joinable_)
      ++unfinished_;
  }
  if (i == items.size())
    return json{};
  if (!arg<bool>(args, "block", true))
    return make_error(error_code::full, "queue is full: " + std::to_string(i) + " of "
                                          + std::to_string(items.size())
                                          + " items were put");
  auto rest = json::array();
  for (; i < items.size(); ++i) {
    table_.hold(items[i]);
    rest.push_back(std::move(items[i]));
  }
  auto rp = ctx.defer();
  putters_.add(ctx, rp, timeout_arg(args), std::move(rest));
  return rp;
}

// get_many: up to `max` items that are there now; waits like get for the
// first one only.
outcome queue_object::get_many(call_context& ctx, json& args) {
  auto most = arg<long long>(args, "max", 1);
  if (most < 1)
    return make_error(error_code::value_error, "get_many: max must be at least 1");
  if (!items_.empty()) {
    auto batch = json::array();
    while (!items_.empty() && batch.size() < static_cast<std::size_t>(most)) {
      batch.push_back(std::move(items_.front()));
      items_.pop_front();
    }
    ctx.drop_after_reply(batch);
    admit_putters(ctx);
    return batch;
  }
  if (!arg<bool>(args, "block", true))
    return make_error(error_code::empty, "queue is empty");
  auto rp = ctx.defer();
  getters_.add(ctx, rp, timeout_arg(args), json(most));
  return rp;
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
      auto one = json::array({std::move(item)});
      feed_getters(ctx, one, 0);
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
    putters_.add(ctx, rp, timeout_arg(args), json::array({std::move(item)}));
    return rp;
  }
  if (m == "put_many")
    return put_many(ctx, args);
  if (m == "get_many")
    return get_many(ctx, args);
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
  if (method != "get" && method != "get_many")
    return;
  // The items never reached their taker: they are the next ones again. They
  // were counted as unfinished when first put; feed_getters counts again.
  auto items = method == "get" ? json::array({std::move(result)}) : std::move(result);
  if (joinable_)
    unfinished_ -= std::min(unfinished_, items.size());
  auto i = feed_getters(ctx, items, 0);
  for (auto k = items.size(); k > i; --k) {
    table_.hold(items[k - 1]);
    items_.push_front(std::move(items[k - 1]));
    if (joinable_)
      ++unfinished_;
  }
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

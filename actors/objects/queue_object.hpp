#pragma once

// queue_actor: the state and handlers of a managed Queue or JoinableQueue.
//
//   put(item, block, timeout)  get(block, timeout)  qsize()  empty()  full()
//   put_many(items, block, timeout)  get_many(max, block, timeout)
//   task_done()  join(timeout)                            (JoinableQueue)
//   n_waiting()
// A get on an empty queue and a put on a full one wait as deferred replies:
// the actor keeps serving others, hands items to waiting getters in arrival
// order, and answers Empty / Full when a waiter's timeout passes (at once for
// block = false). put_many puts its items in order: what fits goes in at
// once, the rest waits as one putter (behind earlier putters, so no other
// put interleaves); get_many takes up to `max` items that are there, waiting
// like get only while there is none.
// task_done more often than items were put is a ValueError.
// n_waiting() counts the callers blocked in get, put or join, not yet answered
// (so a test can know a waiter has reached the server).

#include <deque>

#include <mpactor/actors/objects/managed_object.hpp>
#include <mpactor/actors/runtime/object_table.hpp>
#include <mpactor/actors/objects/waiter_list.hpp>

namespace mpactor {

class queue_object : public managed_object {
public:
  queue_object(const json& args, object_table& table, bool joinable);
  ~queue_object() override;

  outcome call(call_context& ctx, const std::string& method, json& args) override;
  void expire(call_context& ctx, std::uint64_t ticket) override;
  bool may_wait(const std::string& m) const noexcept override {
    return m == "get" || m == "put" || m == "get_many" || m == "put_many"
           || (joinable_ && m == "join");
  }
  void cancel(std::uint64_t connection) override;
  void undelivered(call_context& ctx, std::uint64_t connection, const std::string& method,
                   json& result) override;

private:
  bool is_full() const { return maxsize_ > 0 && items_.size() >= maxsize_; }
  void admit_putters(call_context& ctx);
  std::size_t feed_getters(call_context& ctx, json& items, std::size_t from);
  outcome put_many(call_context& ctx, json& args);
  outcome get_many(call_context& ctx, json& args);
  void finish_joins(call_context& ctx);

  object_table& table_;
  bool joinable_;
  std::size_t maxsize_;
  std::deque<json> items_;
  waiter_list getters_;
  waiter_list putters_; // data: the item each wants to put
  waiter_list joiners_;
  std::size_t unfinished_ = 0;
};

} // namespace mpactor

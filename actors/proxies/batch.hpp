#pragma once

// Batch: calls sent together and awaited together (pipelining), for code
// that is not an actor and wants many requests in flight.
//
//   mpactor::Batch batch;
//   std::vector<mpactor::Future> gets;
//   for (auto& k : keys)
//     gets.push_back(batch.add(dict, "get", {{"key", k}}));
//   batch.run();                    // one pipelined exchange
//   for (auto& f : gets) use(f.get<int>());
//
// Calls go out on the calling thread's connection of each proxy's manager, a
// window of up to 256 at a time, in the order they were added; each keeps
// its own result. Future::get() raises the same typed exception as the
// blocking call would (KeyError, Empty, ...); ConnectionError if the server
// is gone. A Batch is for one thread; run() may be called again after more
// add()s.

#include <memory>
#include <string>
#include <vector>

#include <mpactor/actors/proxies/base_proxy.hpp>
#include <mpactor/actors/client/connection.hpp>

namespace mpactor {

/// The result of one call of a Batch, ready after Batch::run().
class Future {
public:
  /// Whether run() has delivered the result.
  bool ready() const { return state_ && state_->done; }

  /// The result; raises the call's error. ValueError before run().
  json get() const;

  /// The result as T (proxy types made from reference markers).
  template <class T>
  T get() const {
    auto value = get();
    return proxy_.convert<T>(value);
  }

private:
  friend class Batch;
  struct state {
    connection::batch_call call;
    bool done = false;
    std::vector<std::shared_ptr<object_ref>> refs; // objects in the result
  };
  std::shared_ptr<state> state_;
  BaseProxy proxy_;
};

class Batch {
public:
  /// Adds a call of `method` with named `args` on `target`.
  Future add(const BaseProxy& target, const std::string& method,
             json args = json::object());

  /// Sends every call added since the last run() and waits for all results.
  void run();

  /// Number of calls waiting for run().
  std::size_t size() const noexcept { return pending_.size(); }

private:
  std::vector<Future> pending_;
};

} // namespace mpactor

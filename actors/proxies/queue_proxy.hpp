#pragma once

// QueueProxy: a managed Queue (Python's queue.Queue behind a proxy).
//
// put(item, block, timeout) waits while the queue is full and raises Full if
// it is still full when block is false or the timeout passes; get(block,
// timeout) likewise raises Empty. The waiting happens in the server: the
// object keeps serving others meanwhile.
//
// put() returns once the server holds the item, so whatever a process does
// after it (exit, signal another process) happens after the item is queued,
// as in Python. For many puts in flight, use a Batch.

#include <cstddef>

#include <mpactor/actors/proxies/base_proxy.hpp>

namespace mpactor {

class QueueProxy : public BaseProxy {
public:
  using BaseProxy::BaseProxy;

  void put(const json& item, bool block = true, Timeout timeout = none) const {
    call("put", {{"item", item}, {"block", block}, {"timeout", timeout_json(timeout)}});
  }
  json get(bool block = true, Timeout timeout = none) const {
    return call("get", {{"block", block}, {"timeout", timeout_json(timeout)}});
  }
  template <class T>
  T get(bool block = true, Timeout timeout = none) const {
    return call_as<T>("get", {{"block", block}, {"timeout", timeout_json(timeout)}});
  }
  void put_nowait(const json& item) const { put(item, false); }
  json get_nowait() const { return get(false); }
  std::size_t qsize() const { return call("qsize").get<std::size_t>(); }
  /// Callers blocked in get, put (or join) and not yet answered. Not in
  /// Python: it lets a test or a monitor know that a waiter has reached the
  /// server.
  long n_waiting() const { return call("n_waiting").get<long>(); }
  bool empty() const { return call("empty").get<bool>(); }
  bool full() const { return call("full").get<bool>(); }
};

} // namespace mpactor

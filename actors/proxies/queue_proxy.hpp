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
// as in Python. put_many() and get_many() (not in Python) move many items in
// one round trip each, with the same guarantee: put_many() returns once every
// item is in the queue, so a parent that joined the putting process sees
// them all.

#include <cstddef>
#include <vector>

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
  /// Puts `items` in order, in one message (up to the server's frame limit,
  /// 64 MiB by default), as consecutive puts that no other put interleaves.
  /// What does not fit a bounded queue waits as put would; Full when block
  /// is false or the timeout passes first (the message says how many items
  /// went in: they stay in).
  void put_many(const std::vector<json>& items, bool block = true, Timeout timeout = none) const {
    call("put_many", {{"items", items}, {"block", block}, {"timeout", timeout_json(timeout)}});
  }

  /// Takes up to `max_items` items, in queue order: waits as get() does
  /// while the queue is empty, then takes what is there (at least one item)
  /// without waiting for more. Empty as get() raises it; ValueError for
  /// max_items 0.
  std::vector<json> get_many(std::size_t max_items, bool block = true,
                             Timeout timeout = none) const {
    auto items = call("get_many", {{"max", max_items}, {"block", block},
                                   {"timeout", timeout_json(timeout)}});
    return items.get<std::vector<json>>();
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

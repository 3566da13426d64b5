#pragma once

// QueueProxy: a managed Queue (Python's queue.Queue behind a proxy).
//
// put(item, block, timeout) waits while the queue is full and raises Full if
// it is still full when block is false or the timeout passes; get(block,
// timeout) likewise raises Empty. The waiting happens in the server: the
// object keeps serving others meanwhile.
//
// A proxy made by SyncManager::Queue() knows whether its queue is unbounded;
// there a put can neither wait nor fail, so it is pipelined: put returns once
// the item is on its way, and the calling thread's next call (a get, a qsize)
// is served after it. A proxy read back from a managed container does not
// know, and puts synchronously.

#include <cstddef>

#include <mpactor/actors/base_proxy.hpp>

namespace mpactor {

class QueueProxy : public BaseProxy {
public:
  using BaseProxy::BaseProxy;

  /// A proxy of an unbounded queue, whose puts are pipelined.
  QueueProxy(std::shared_ptr<object_ref> ref, bool unbounded)
    : BaseProxy(std::move(ref)), unbounded_(unbounded) {
    // nop
  }

  void put(const json& item, bool block = true, Timeout timeout = none) const {
    if (unbounded_)
      send("put", {{"item", item}});
    else
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
  bool empty() const { return call("empty").get<bool>(); }
  bool full() const { return call("full").get<bool>(); }

private:
  bool unbounded_ = false;
};

} // namespace mpactor

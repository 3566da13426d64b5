#pragma once

// JoinableQueueProxy: a managed JoinableQueue: a Queue that counts unfinished
// items. task_done() marks one done (ValueError if called more often than
// items were put); join() waits until every item put is done.

#include <mpactor/actors/proxies/queue_proxy.hpp>

namespace mpactor {

class JoinableQueueProxy : public QueueProxy {
public:
  using QueueProxy::QueueProxy;

  void task_done() const { call("task_done"); }

  /// Waits until all items are done.
  void join() const { call("join"); }

  /// Waits up to `timeout`; returns whether all items are done.
  bool join(Timeout timeout) const {
    return call("join", {{"timeout", timeout_json(timeout)}}).get<bool>();
  }
};

} // namespace mpactor

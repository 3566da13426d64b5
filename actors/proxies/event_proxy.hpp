#pragma once

// EventProxy: a managed Event (Python's EventProxy).

#include <mpactor/actors/proxies/base_proxy.hpp>

namespace mpactor {

class EventProxy : public BaseProxy {
public:
  using BaseProxy::BaseProxy;

  bool is_set() const { return call("is_set").get<bool>(); }
  void set() const { call("set"); }
  void clear() const { call("clear"); }
  /// Waits until set (true) or the timeout passes (false).
  bool wait(Timeout timeout = none) const {
    return call("wait", {{"timeout", timeout_json(timeout)}}).get<bool>();
  }
  /// Waits not yet answered. Not in Python: it lets a test or a monitor
  /// know that a waiter has reached the server.
  long n_waiting() const { return call("n_waiting").get<long>(); }
};

} // namespace mpactor

#pragma once

// BarrierProxy: a managed Barrier (Python's BarrierProxy). wait() returns the
// caller's arrival index; a broken barrier raises BrokenBarrierError.

#include <mpactor/actors/proxies/base_proxy.hpp>

namespace mpactor {

class BarrierProxy : public BaseProxy {
public:
  using BaseProxy::BaseProxy;

  /// Waits for all parties; none: the barrier's default timeout.
  long wait(Timeout timeout = none) const {
    return call("wait", {{"timeout", timeout_json(timeout)}}).get<long>();
  }
  void abort() const { call("abort"); }
  void reset() const { call("reset"); }
  long parties() const { return call("parties").get<long>(); }
  long n_waiting() const { return call("n_waiting").get<long>(); }
  bool broken() const { return call("broken").get<bool>(); }
};

} // namespace mpactor

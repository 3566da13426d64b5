#pragma once

// ConditionProxy: a managed Condition with its own RLock (Python's
// ConditionProxy). wait() and notify() need the lock held by the caller
// (RuntimeError otherwise, as Python). wait_for(pred, timeout) re-checks `pred` after each
// wakeup, as Python's, and returns its last value.

#include <chrono>

#include <mpactor/actors/proxies/acquirer_proxy.hpp>

namespace mpactor {

class ConditionProxy : public AcquirerProxy {
public:
  using AcquirerProxy::AcquirerProxy;

  /// Waits for a notify (true) or the timeout (false); holds the lock again
  /// when it returns.
  bool wait(Timeout timeout = none) const {
    return call("wait", {{"timeout", timeout_json(timeout)}, {"thread", this_thread_number()}})
      .get<bool>();
  }

  /// Waits until `pred()` is true or the timeout passes; returns `pred()`.
  template <class Predicate>
  bool wait_for(Predicate pred, Timeout timeout = none) const {
    auto deadline = deadline_after(timeout);
    bool result = pred();
    while (!result) {
      Timeout left = none;
      if (deadline) {
        left = std::chrono::duration_cast<std::chrono::nanoseconds>(
          *deadline - std::chrono::steady_clock::now());
        if (left->count() <= 0)
          break;
      }
      wait(left);
      result = pred();
    }
    return result;
  }

  void notify(long n = 1) const {
    call("notify", {{"n", n}, {"thread", this_thread_number()}});
  }
  void notify_all() const { call("notify_all", {{"thread", this_thread_number()}}); }
};

} // namespace mpactor

namespace std {

// As for AcquirerProxy: lock_guard and unique_lock take a const proxy.
template <>
class lock_guard<mpactor::ConditionProxy> : public lock_guard<const mpactor::ConditionProxy> {
public:
  using lock_guard<const mpactor::ConditionProxy>::lock_guard;
};

template <>
class unique_lock<mpactor::ConditionProxy> : public unique_lock<const mpactor::ConditionProxy> {
public:
  using unique_lock<const mpactor::ConditionProxy>::unique_lock;
};

} // namespace std

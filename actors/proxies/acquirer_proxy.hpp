#pragma once

// AcquirerProxy: a managed Lock, RLock, Semaphore or BoundedSemaphore
// (Python's AcquirerProxy). BasicLockable, so std::lock_guard works.
//
// The owner of a hold is the calling process and thread, not the proxy
// object: copies of a proxy in one thread share the hold, other threads and
// processes do not. When the owning process dies, its holds are released.

#include <chrono>

#include <mpactor/actors/proxies/base_proxy.hpp>

namespace mpactor {

class AcquirerProxy : public BaseProxy {
public:
  using BaseProxy::BaseProxy;

  /// Acquires; `block = false` tries once; otherwise waits up to `timeout`.
  bool acquire(bool block = true, Timeout timeout = none) const {
    return call("acquire", {{"block", block},
                            {"timeout", timeout_json(timeout)},
                            {"thread", this_thread_number()}})
      .get<bool>();
  }

  template <class Rep, class Period>
  bool acquire(std::chrono::duration<Rep, Period> timeout) const {
    return acquire(true, std::chrono::duration_cast<std::chrono::nanoseconds>(timeout));
  }

  /// Releases; RuntimeError (as Python) if the lock is not held (or, for an
  /// RLock, not held by the caller); ValueError when a BoundedSemaphore is
  /// over-released.
  void release() const { call("release", {{"thread", this_thread_number()}}); }

  void lock() const { acquire(); }
  void unlock() const { release(); }
  bool try_lock() const { return acquire(false); }
};

} // namespace mpactor

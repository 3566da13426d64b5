#pragma once

// AcquirerProxy: a managed Lock, RLock, Semaphore or BoundedSemaphore
// (Python's AcquirerProxy). BasicLockable, so std::lock_guard works.
//
// The owner of a hold is the calling process and thread, not the proxy
// object: copies of a proxy in one thread share the hold, other threads and
// processes do not. When the owning process dies, its holds are released.
//
// A proxy is a handle, so a const one locks too: `std::lock_guard` and
// `std::unique_lock` of AcquirerProxy (and of ConditionProxy) take a const
// proxy, as one captured by value in a Process lambda is (they are the
// standard templates of `const AcquirerProxy`, specialized below).

#include <chrono>
#include <mutex>

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

  /// Callers waiting in the server: acquirers of a Lock or Semaphore; for a
  /// Condition, waits no notify has reached yet. Not in Python: it lets a
  /// test or a monitor know that a waiter has reached the server.
  long n_waiting() const { return call("n_waiting").get<long>(); }

  void lock() const { acquire(); }
  void unlock() const { release(); }
  bool try_lock() const { return acquire(false); }
};

} // namespace mpactor

namespace std {

// lock_guard<AcquirerProxy> and unique_lock<AcquirerProxy> accept a const
// proxy: each is the standard template of `const AcquirerProxy`.
template <>
class lock_guard<mpactor::AcquirerProxy> : public lock_guard<const mpactor::AcquirerProxy> {
public:
  using lock_guard<const mpactor::AcquirerProxy>::lock_guard;
};

template <>
class unique_lock<mpactor::AcquirerProxy> : public unique_lock<const mpactor::AcquirerProxy> {
public:
  using unique_lock<const mpactor::AcquirerProxy>::unique_lock;
};

} // namespace std

#pragma once

// Lock: a process-shared lock in shared memory (multiprocessing.Lock).
//
// A Lock is a handle: copies, and copies inherited by forked children, refer
// to the same lock. It is non-recursive and owned by the thread that acquired
// it; only that thread may release it (releasing a lock the caller does not
// hold throws ValueError). lock()/unlock()/try_lock()/try_lock_for() make it a
// TimedLockable for std::lock_guard, std::unique_lock and std::scoped_lock.
//
// Dead owners: if the holder dies (process killed, thread exited) the lock is
// not lost. The next acquirer gets it, and owner_died() returns true for that
// hold, telling the caller that the data the lock guards may be half-updated.
// The flag clears at the next acquisition. The holder is the one the mutex
// names, so a process that later gets a dead holder's pid is not taken for
// it (see lock_data.hpp).
//
// A blocking acquire without timeout by the thread that already holds a
// (non-recursive) Lock would deadlock forever: it throws ValueError instead.
// With a timeout it waits and returns false, as in Python.

#include <chrono>
#include <memory>

#include <mpactor/shm/lock_data.hpp>
#include <mpactor/shm/timeout.hpp>

namespace mpactor {

class Lock {
public:
  /// Makes a new, free, non-recursive lock in shared memory.
  Lock();

  /// Wraps an existing lock layout, kept alive by `data`.
  explicit Lock(std::shared_ptr<lock_data> data);

  /// Acquires the lock. `block = false` tries once; otherwise waits up to
  /// `timeout` (none: without limit). Returns whether the lock was acquired.
  bool acquire(bool block = true, Timeout timeout = none) const;

  /// Waits up to `timeout` for the lock; returns whether it was acquired.
  template <class Rep, class Period>
  bool acquire(std::chrono::duration<Rep, Period> timeout) const {
    return acquire(true, std::chrono::duration_cast<std::chrono::nanoseconds>(timeout));
  }

  /// Releases one hold. Throws ValueError if the caller does not hold it.
  void release() const;

  /// BasicLockable / Lockable / TimedLockable.
  void lock() const { acquire(); }
  void unlock() const { release(); }
  bool try_lock() const { return acquire(false); }
  template <class Rep, class Period>
  bool try_lock_for(std::chrono::duration<Rep, Period> timeout) const {
    return acquire(timeout);
  }
  template <class Clock, class Duration>
  bool try_lock_until(std::chrono::time_point<Clock, Duration> when) const {
    return acquire(when - Clock::now());
  }

  /// Whether the calling thread holds the lock.
  bool is_owned() const;

  /// Whether the current hold was taken over from an owner that died.
  bool owner_died() const;

  /// Whether this is an RLock.
  bool is_recursive() const { return data_->recursive != 0; }

  /// The shared layout (for objects that guard their data with this lock).
  lock_data* data() const noexcept { return data_.get(); }

  /// Two handles are equal when they refer to the same lock.
  friend bool operator==(const Lock& x, const Lock& y) { return x.data_ == y.data_; }
  friend bool operator!=(const Lock& x, const Lock& y) { return !(x == y); }

protected:
  struct recursive_tag {};
  explicit Lock(recursive_tag);

private:
  std::shared_ptr<lock_data> data_;
};

} // namespace mpactor

#pragma once

// operation_guard: holds a lock for one operation of a synchronized object.
//
// Value and Array use it for `value()`, `=`, `+=`, `a[i]` and `to_vector()`:
// each operation is one hold of the lock, so read-modify-write operators are
// atomic. If the calling thread already holds the lock (inside
// `std::lock_guard g(v.get_lock())`), the guard does nothing, so the
// operators work under an explicit hold of a Lock as well as of an RLock.
// The hold records nothing beside the mutex (whose futex word names the
// holder): nothing but the operation runs while it lasts, which keeps this
// path as short as a bare mutex.

#include <cerrno>
#include <pthread.h>

#include <mpactor/shm/lock_data.hpp>

namespace mpactor {

class operation_guard {
public:
  explicit operation_guard(lock_data* lock) noexcept : lock_(lock) {
    if (lock_ == nullptr || lock_->held_by_caller()) {
      lock_ = nullptr;
      return;
    }
    if (pthread_mutex_lock(&lock_->mutex) == EOWNERDEAD) {
      // The previous holder died mid-operation; the data is whatever it left.
      pthread_mutex_consistent(&lock_->mutex);
      lock_->recovered = 1;
    }
  }

  ~operation_guard() {
    if (lock_ != nullptr)
      pthread_mutex_unlock(&lock_->mutex);
  }

  operation_guard(const operation_guard&) = delete;
  operation_guard& operator=(const operation_guard&) = delete;

private:
  lock_data* lock_;
};

} // namespace mpactor

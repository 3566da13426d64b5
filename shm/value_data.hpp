#pragma once

// The shared-memory layout of an anonymous Value: its T and the lock that
// guards it by default, in one block (one allocation; for a small T, one
// cache line). Like every layout it holds no pointers: each process maps the
// block at its own address. The Value handle (value.hpp) wraps it.

#include <mpactor/shm/lock_data.hpp>

namespace mpactor {

template <class T>
struct value_data {
  /// The default lock, an RLock; unused when the Value was given a lock.
  lock_data lock;
  /// The value; guarded by the Value's lock.
  T value;
};

} // namespace mpactor

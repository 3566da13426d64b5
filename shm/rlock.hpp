#pragma once

// RLock: a process-shared recursive lock (multiprocessing.RLock).
//
// The owning thread may acquire it again; each acquire needs its release, and
// only the owner may release (ValueError otherwise). An RLock is a Lock whose
// shared layout is marked recursive, so it can be passed wherever a Lock is
// taken (Value<T>(init, lock), get_lock()) and keeps its recursive behaviour.
// Dead owners are handled as for Lock: see lock.hpp.

#include <mpactor/shm/lock.hpp>

namespace mpactor {

class RLock : public Lock {
public:
  /// Makes a new, free, recursive lock in shared memory.
  RLock() : Lock(recursive_tag{}) {
    // nop
  }

  /// How many times the calling thread holds it (0 if it does not).
  unsigned depth() const { return is_owned() ? data()->depth : 0u; }
};

} // namespace mpactor

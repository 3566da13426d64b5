#pragma once

// The shared-memory layout of a Lock or RLock.
//
// A lock_data lives in a shared segment and is used by every process that
// maps the segment, each at its own address, so it holds no pointers. The
// mutex is robust and process-shared: when its holder dies (a process killed,
// a thread that exits holding it), the next acquirer gets it with EOWNERDEAD,
// marks it consistent and records that in `recovered`. Handles (Lock, RLock)
// wrap a lock_data; the layout knows nothing of them.

#include <atomic>
#include <cstdint>
#include <pthread.h>
#include <sys/types.h>

namespace mpactor {

struct lock_data {
  /// Robust, process-shared; default (non-recursive) kind. Recursion of RLock
  /// is counted in `depth`, not by the mutex.
  pthread_mutex_t mutex;
  /// Kernel thread id of the holder, 0 when free. Written only by the thread
  /// holding `mutex`, read by any thread to tell "do I hold it?".
  std::atomic<pid_t> owner;
  /// Recursion depth of the holder; guarded by `mutex`.
  std::uint32_t depth;
  /// 1 for an RLock; fixed at construction.
  std::uint8_t recursive;
  /// 1 when the current hold was taken over from a holder that died;
  /// guarded by `mutex`.
  std::uint8_t recovered;

  /// Initializes a lock in freshly allocated shared memory.
  void init(bool is_recursive);

  /// The calling thread's kernel thread id (cached; correct after fork).
  static pid_t caller();
};

} // namespace mpactor

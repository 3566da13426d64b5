#pragma once

// The shared-memory layout of a Lock or RLock.
//
// A lock_data lives in a shared segment and is used by every process that
// maps the segment, each at its own address, so it holds no pointers. The
// mutex is robust and process-shared: when its holder dies (a process killed,
// a thread that exits holding it), the next acquirer gets it with EOWNERDEAD,
// marks it consistent and records that in `recovered`. Handles (Lock, RLock)
// wrap a lock_data; the layout knows nothing of them.
//
// Who holds the lock is read from the mutex itself, not from a copy of our
// own: the futex word of a robust mutex carries its holder's kernel thread
// id, and the kernel replaces that id by FUTEX_OWNER_DIED when the holder
// dies, before the id can be given to a new process. So a process that gets a
// dead holder's pid (or a thread its tid) never believes it holds the lock; a
// recorded tid could not tell the two apart. Reading the futex word relies on
// glibc's layout of pthread_mutex_t (`__data.__lock`), which is part of its
// ABI. Kernel thread ids are those of one pid namespace: processes in
// different pid namespaces cannot share a lock (nor a robust mutex).

#include <cstdint>
#include <pthread.h>
#include <sys/types.h>

#include <linux/futex.h>

#ifndef __GLIBC__
#error "mpactor's lock_data reads the holder from glibc's robust mutex"
#endif

namespace mpactor {

struct lock_data {
  /// Robust, process-shared; default (non-recursive) kind. Recursion of RLock
  /// is counted in `depth`, not by the mutex.
  pthread_mutex_t mutex;
  /// Recursion depth of the holder; guarded by `mutex`.
  std::uint32_t depth;
  /// 1 for an RLock; fixed at construction.
  std::uint8_t recursive;
  /// 1 when the current hold was taken over from a holder that died;
  /// guarded by `mutex`.
  std::uint8_t recovered;

  /// Initializes a lock in freshly allocated shared memory.
  void init(bool is_recursive);

  /// Kernel thread id of the thread holding `mutex`; 0 when it is free or
  /// when its holder died. Any thread may call it; only the answer "the
  /// caller" is stable (nobody else can make it true or false).
  pid_t holder() const noexcept {
    auto word = __atomic_load_n(&mutex.__data.__lock, __ATOMIC_RELAXED);
    return static_cast<pid_t>(static_cast<unsigned>(word) & FUTEX_TID_MASK);
  }

  /// Whether the calling thread holds `mutex`.
  bool held_by_caller() const noexcept { return holder() == caller(); }

  /// The calling thread's kernel thread id (cached; correct after fork).
  static pid_t caller() noexcept {
    pid_t tid = caller_tid;
    return tid != 0 ? tid : find_caller();
  }

  /// Asks the kernel for caller(), caches it, and makes fork reset the cache.
  static pid_t find_caller() noexcept;

  /// caller()'s cache: 0 until the thread's first call, and in a forked child.
  static inline thread_local pid_t caller_tid = 0;
};

} // namespace mpactor

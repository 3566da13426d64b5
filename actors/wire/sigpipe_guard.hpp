#pragma once

// sigpipe_guard: a write to a peer that has gone does not kill the process.
//
// OpenSSL writes to its socket with write(), which raises SIGPIPE when the
// peer has closed; a library must not change the process's signal handling
// to avoid that. While a guard lives, SIGPIPE is blocked for this thread;
// one raised meanwhile is taken away before the mask is restored. The write
// itself then fails with EPIPE, which the caller reports.

#include <csignal>
#include <ctime>

#include <pthread.h>

namespace mpactor {

class sigpipe_guard {
public:
  sigpipe_guard() noexcept {
    sigset_t pipe_only;
    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_only, &old_);
    sigset_t pending;
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
  }

  ~sigpipe_guard() {
    if (!was_pending_) {
      sigset_t pending;
      sigpending(&pending);
      if (sigismember(&pending, SIGPIPE) == 1) {
        sigset_t pipe_only;
        sigemptyset(&pipe_only);
        sigaddset(&pipe_only, SIGPIPE);
        timespec none{0, 0};
        sigtimedwait(&pipe_only, nullptr, &none);
      }
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }

  sigpipe_guard(const sigpipe_guard&) = delete;
  sigpipe_guard& operator=(const sigpipe_guard&) = delete;

private:
  sigset_t old_;
  bool was_pending_ = false;
};

} // namespace mpactor

#pragma once

// busy_processes: child processes that spin, to keep every CPU busy (the
// CPU pressure a server adapts to). Killed when the object goes (also by a
// failed check) and when the test process dies.

#include <csignal>
#include <vector>

#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace mpactor_test {

struct busy_processes {
  std::vector<pid_t> pids;

  /// Starts `n` spinning children; false if a fork failed.
  bool start(unsigned n) {
    for (unsigned i = 0; i < n; ++i) {
      pid_t pid = ::fork();
      if (pid < 0)
        return false;
      if (pid == 0) {
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        volatile unsigned long spin = 0;
        for (;;)
          spin = spin + 1;
      }
      pids.push_back(pid);
    }
    return true;
  }

  void stop() {
    for (auto pid : pids)
      ::kill(pid, SIGKILL);
    for (auto pid : pids)
      ::waitpid(pid, nullptr, 0);
    pids.clear();
  }

  ~busy_processes() { stop(); }
};

} // namespace mpactor_test

#pragma once

// eventually(pred, bound): polls `pred` until it holds or `bound` passes and
// returns its last value. Not a sleep: it waits on the state itself (a
// server's count, a waiter reaching the server), with a bound. Between polls
// it sleeps 1 ms, so a poll loop does not take a core from the server it
// waits on (the test machine has two).

#include <chrono>
#include <thread>

namespace mpactor_test {

template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds bound = std::chrono::milliseconds{5000}) {
  auto deadline = std::chrono::steady_clock::now() + bound;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline)
      return pred();
    std::this_thread::sleep_for(std::chrono::milliseconds{1});
  }
  return true;
}

} // namespace mpactor_test

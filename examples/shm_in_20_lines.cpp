// shm_in_20_lines: the README's "Shared memory in 20 lines", as it is there
// (tests/examples checks that it prints "4000 4", and that the README's text
// is this file's code below this comment).
//
// Four processes add 1 to a shared Value<int> 1000 times each (one lock hold
// per +=, so no update is lost) and 1.0 to each element of a shared
// Array<double> under its lock.
//
// Run: ./shm_in_20_lines

#include <mpactor/mpactor.hpp>
using namespace mpactor;

void work(Value<int> counter, Array<double> xs) {
  for (int i = 0; i < 1000; ++i)
    counter += 1;             // one lock hold: no update is lost
  std::lock_guard<Lock> hold{xs.get_lock()};
  for (auto& x : xs) x += 1.0;             // in place: hold the lock meanwhile
}

int main() {
  Value<int> counter{0};                    // a new RLock guards it
  Array<double> xs(3);                      // zero-filled
  std::vector<Process> ps;
  for (int i = 0; i < 4; ++i) ps.emplace_back(work, counter, xs);
  for (auto& p : ps) p.start();
  for (auto& p : ps) p.join();
  std::printf("%d %g\n", counter.value(), double(xs[0]));  // 4000 4
}

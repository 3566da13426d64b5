// value_counter: the tutorial's first pitfall, and its fixes.
//
// Ten processes each add 1 to a shared Value<int> ten times. Done as Python's
// `val.value += 1` does it -- a read, then a separate write -- updates from
// other processes are lost in between and the total may fall short of 100.
// Holding get_lock() around the read and the write fixes it, as the tutorial
// shows; mpactor's `+=` holds the lock once by itself, so it cannot lose one.
// The tutorial sleeps 0.5 s per round; this scales that to 20 ms.
//
// Run: ./value_counter

#include <chrono>
#include <cstdio>
#include <mutex>
#include <thread>
#include <vector>

#include <mpactor/mpactor.hpp>

using namespace std::chrono_literals;

namespace {

void unlocked(mpactor::Value<int> val) {
  for (int i = 0; i < 10; ++i) {
    std::this_thread::sleep_for(20ms); // the tutorial's time.sleep(0.5)
    // Python's `val.value += 1`: read, then write, with no lock held between.
    int seen = val.get_obj();
    std::this_thread::sleep_for(100us); // widens the window another process can write in
    val.get_obj() = seen + 1;
  }
}

void with_get_lock(mpactor::Value<int> val) {
  for (int i = 0; i < 10; ++i) {
    std::this_thread::sleep_for(20ms);
    std::lock_guard<mpactor::Lock> hold{val.get_lock()}; // with val.get_lock():
    int seen = val.get_obj();
    std::this_thread::sleep_for(100us);
    val.get_obj() = seen + 1;
  }
}

void with_plus_equals(mpactor::Value<int> val) {
  for (int i = 0; i < 10; ++i) {
    std::this_thread::sleep_for(20ms);
    val += 1; // one hold of the lock: read, add, write
  }
}

int run(void (*fun)(mpactor::Value<int>)) {
  mpactor::Value<int> v{0};
  std::vector<mpactor::Process> p_list;
  for (int i = 0; i < 10; ++i)
    p_list.emplace_back(fun, v);
  for (auto& p : p_list)
    p.start();
  for (auto& p : p_list)
    p.join();
  return v.value();
}

} // namespace

int main() {
  std::printf("without the lock (read, then write): %d\n", run(unlocked));
  std::printf("with get_lock():                      %d\n", run(with_get_lock));
  std::printf("with += (one lock hold):              %d\n", run(with_plus_equals));
}

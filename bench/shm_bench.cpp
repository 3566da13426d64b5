// bench_shm: the shared-memory model side by side with its anchors, in one run.
//
//   Value<int> += 1 from 2 processes  vs  the same loop on a raw robust,
//   process-shared pthread mutex in an anonymous shared mapping  vs  Python's
//   `with v.get_lock(): v.value += 1` from 2 processes (the anchor's inc_locked)
//   uncontended Lock acquire+release  vs  the same raw mutex's lock/unlock
//   Array<double>::to_vector() of 1M elements  vs  memcpy of 8 MB
//
// Each figure is the median of 5 interleaved rounds; ratios compare figures
// of the same run. Run: build/bench/bench_shm [--python PATH-TO-ANCHOR]

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <mpactor/mpactor.hpp>

#include "side_by_side.hpp"

namespace {

using bench::clock_type;
using bench::median;
using bench::ratio;
using bench::seconds_since;

// Runs `body` in 2 forked processes at once; returns the wall time.
double two_processes(const std::function<void()>& body) {
  auto t0 = clock_type::now();
  mpactor::Process a(body), b(body);
  a.start();
  b.start();
  a.join();
  b.join();
  return seconds_since(t0);
}

struct raw_shared {
  pthread_mutex_t mutex;
  int value;
};

raw_shared* make_raw() {
  void* mem = mmap(nullptr, sizeof(raw_shared), PROT_READ | PROT_WRITE,
                   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  auto* raw = static_cast<raw_shared*>(mem);
  pthread_mutexattr_t attr;
  pthread_mutexattr_init(&attr);
  pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
  pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
  pthread_mutex_init(&raw->mutex, &attr);
  raw->value = 0;
  return raw;
}

double python_inc_locked(const std::string& anchor, long n) {
  auto dir = anchor.substr(0, anchor.find_last_of('/'));
  std::string cmd = "python3 -c \"import sys; sys.path.insert(0, '" + dir
                    + "'); import python_baseline as pb, multiprocessing as mp;"
                      " v = mp.Value('i', 0); s = pb.run_procs(pb.inc_locked, (v, "
                    + std::to_string(n) + ")); print(2 * " + std::to_string(n)
                    + " / s if v.value == 2 * " + std::to_string(n)
                    + " else -1)\" 2>/dev/null";
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr)
    return 0;
  double ops = 0;
  if (std::fscanf(p, "%lf", &ops) != 1)
    ops = 0;
  pclose(p);
  return ops;
}

void row(const char* name, double ops, const char* unit, const std::string& note) {
  std::printf("| %-52s | %14.0f %-7s | %-34s |\n", name, ops, unit, note.c_str());
}

} // namespace

int main(int argc, char** argv) {
  auto anchor = bench::python_anchor(argc, argv);

  constexpr long n = 2'000'000; // increments per process
  constexpr int rounds = 5;
  std::vector<double> value_ops, raw_ops, lock_ops, rawlock_ops, vec_gbs, memcpy_gbs;

  mpactor::Value<int> v{0};
  auto* raw = make_raw();
  mpactor::Lock lock;
  std::vector<double> src(1 << 20, 1.0), dst(1 << 20);
  mpactor::Array<double> arr(src.begin(), src.end());
  bool lost = false;

  for (int r = 0; r < rounds; ++r) {
    v = 0;
    auto s = two_processes([&] {
      for (long i = 0; i < n; ++i)
        v += 1;
    });
    lost |= v.value() != 2 * n;
    value_ops.push_back(2 * n / s);

    raw->value = 0;
    s = two_processes([&] {
      for (long i = 0; i < n; ++i) {
        pthread_mutex_lock(&raw->mutex);
        raw->value += 1;
        pthread_mutex_unlock(&raw->mutex);
      }
    });
    lost |= raw->value != 2 * n;
    raw_ops.push_back(2 * n / s);

    auto t0 = clock_type::now();
    for (long i = 0; i < n; ++i) {
      lock.acquire();
      lock.release();
    }
    lock_ops.push_back(n / seconds_since(t0));
    t0 = clock_type::now();
    for (long i = 0; i < n; ++i) {
      pthread_mutex_lock(&raw->mutex);
      pthread_mutex_unlock(&raw->mutex);
      asm volatile("" ::: "memory");
    }
    rawlock_ops.push_back(n / seconds_since(t0));

    constexpr int copies = 50;
    t0 = clock_type::now();
    for (int i = 0; i < copies; ++i) {
      auto out = arr.to_vector();
      asm volatile("" ::"r"(out.data()) : "memory");
    }
    vec_gbs.push_back(copies * 8.0 * (1 << 20) / 1e9 / seconds_since(t0));
    t0 = clock_type::now();
    for (int i = 0; i < copies; ++i) {
      std::memcpy(dst.data(), src.data(), src.size() * sizeof(double));
      asm volatile("" ::"r"(dst.data()) : "memory");
    }
    memcpy_gbs.push_back(copies * 8.0 * (1 << 20) / 1e9 / seconds_since(t0));
  }
  double py = python_inc_locked(anchor, 200'000);

  double value_m = median(value_ops), raw_m = median(raw_ops);
  std::printf("| %-52s | %22s | %-34s |\n", "operation (median of 5 rounds, this machine)",
              "throughput", "ratio (goal)");
  std::printf("|%s|%s|%s|\n", std::string(54, '-').c_str(),
              std::string(24, '-').c_str(), std::string(36, '-').c_str());
  row("Value<int> += 1, 2 processes", value_m, "ops/s",
      ratio("raw mutex (>= 0.7x)", value_m, raw_m));
  row("raw robust pshared pthread mutex, 2 processes", raw_m, "ops/s", "1.00x (anchor)");
  if (py > 0)
    row("Python with v.get_lock(): v.value += 1, 2 procs", py, "ops/s",
        ratio("-> mpactor is faster (>= 10x)", value_m, py));
  else
    row("Python with v.get_lock(): v.value += 1, 2 procs", 0, "ops/s",
        "not run (python3 or anchor missing)");
  row("Lock acquire+release, uncontended", median(lock_ops), "ops/s",
      ratio("raw mutex", median(lock_ops), median(rawlock_ops)));
  row("raw robust pshared mutex lock+unlock, uncontended", median(rawlock_ops), "ops/s", "1.00x (anchor)");
  row("Array<double>(1M).to_vector()", median(vec_gbs) * 1000, "MB/s",
      ratio("memcpy", median(vec_gbs), median(memcpy_gbs)));
  row("memcpy of 8 MiB", median(memcpy_gbs) * 1000, "MB/s", "1.00x (anchor)");
  if (lost) {
    std::printf("ERROR: an increment was lost\n");
    return 1;
  }
  return 0;
}

// manager_tour: every SyncManager type, used across processes.
//
// Three worker processes wait at a Barrier with the parent, then take jobs
// from a JoinableQueue and put their results in a dict. A Semaphore lets at
// most two of them into a "limited" section at a time; a Lock guards the
// Values that count who is inside; an Array counts each worker's jobs. A
// Condition hands a baton (a Namespace attribute) from the parent to a
// waiting process; an Event tells a monitor process to stop; a list collects
// the log; an RLock is taken twice by one thread; a BoundedSemaphore refuses
// to be released past its start value.
//
// Run: ./manager_tour

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <vector>

#include <mpactor/mpactor.hpp>

using namespace std::chrono_literals;
using mpactor::json;
using mpactor::Process;

int main() {
  auto m = mpactor::Manager();
  constexpr int workers = 3, n_jobs = 12;

  auto jobs = m.JoinableQueue();
  auto results = m.dict();
  auto start = m.Barrier(workers + 1);
  auto slots = m.Semaphore(2);
  auto lock = m.Lock();
  auto inside = m.Value(0), peak = m.Value(0);
  auto per_worker = m.Array(json::array({0, 0, 0}));
  auto log = m.list();

  auto worker = [&](int index) {
    start.wait(5s);
    for (;;) {
      auto job = jobs.get();
      if (job.is_null()) { // no more jobs
        jobs.task_done();
        break;
      }
      int n = job.get<int>();
      {
        std::lock_guard<mpactor::AcquirerProxy> slot{slots}; // at most two in here
        {
          std::lock_guard<mpactor::AcquirerProxy> g{lock};
          int now = inside.get<int>() + 1;
          inside.set(now);
          peak.set(std::max(now, peak.get<int>()));
        }
        results[n] = n * n;
        {
          std::lock_guard<mpactor::AcquirerProxy> g{lock};
          inside.set(inside.get<int>() - 1);
          per_worker[index] = per_worker[index].get<int>() + 1;
        }
      }
      jobs.task_done();
    }
    log.append("worker " + std::to_string(index) + " done");
  };

  std::vector<Process> ps;
  for (int i = 0; i < workers; ++i)
    ps.emplace_back(worker, i);
  for (auto& p : ps)
    p.start();
  start.wait(5s); // BrokenBarrierError if a worker never came
  std::printf("Barrier: %ld parties started together\n", start.parties());

  for (int n = 1; n <= n_jobs; ++n)
    jobs.put(n);
  for (int i = 0; i < workers; ++i)
    jobs.put(nullptr);
  jobs.join(); // every put has had its task_done
  for (auto& p : ps)
    p.join();
  long sum = 0;
  for (auto& v : results.values())
    sum += v.get<long>();
  std::printf("JoinableQueue + dict: %zu jobs done by %d workers, results[7] = %d, "
              "sum of squares = %ld\n",
              len(results), workers, results[7].get<int>(), sum);
  std::printf("Semaphore(2) + Lock + Value: at most %s workers were in the limited "
              "section at once\n", peak.get<int>() <= 2 ? "2" : "MORE THAN 2");
  int total = 0;
  for (auto& c : per_worker) // one round trip for a snapshot
    total += c.get<int>();
  std::printf("Array: jobs per worker add up to %d\n", total);

  // Condition: a process waits until the parent hands it the baton.
  auto cond = m.Condition();
  auto ns = m.Namespace();
  Process waiter([&] {
    std::lock_guard<mpactor::ConditionProxy> g{cond};
    cond.wait_for([&] { return ns.contains("baton"); }, 5s);
    log.append("waiter got " + ns.get<std::string>("baton"));
  });
  waiter.start();
  {
    std::lock_guard<mpactor::ConditionProxy> g{cond};
    ns["baton"] = "hello";
    cond.notify_all();
  }
  waiter.join();
  std::printf("Condition + Namespace: the waiting process got the baton '%s'\n",
              ns.get<std::string>("baton").c_str());

  // Event: a monitor runs until told to stop.
  auto stop = m.Event();
  Process monitor([&] {
    stop.wait();
    log.append("monitor stopped");
  });
  monitor.start();
  stop.set();
  monitor.join();
  std::printf("Event: the monitor process saw the stop signal (exit code %d)\n",
              monitor.exitcode().value_or(-1));

  auto rlock = m.RLock();
  rlock.acquire();
  rlock.acquire();
  rlock.release();
  rlock.release();
  std::printf("RLock: acquired twice and released twice by one thread\n");

  auto bounded = m.BoundedSemaphore(1);
  try {
    bounded.release();
  } catch (const mpactor::ValueError& e) {
    std::printf("BoundedSemaphore(1): release past the start value raises ValueError (%s)\n",
                e.what());
  }

  auto q = m.Queue(1);
  q.put("only");
  try {
    q.put("one more", true, 10ms);
  } catch (const mpactor::Full&) {
    std::printf("Queue(1): a second put times out with Full\n");
  }

  std::printf("list: the log has %zu entries\n", log.size());
}

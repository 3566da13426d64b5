// python_workers: a C++ manager whose JoinableQueue and dict are shared by
// unmodified Python workers (multiprocessing.managers) and a C++ worker.
//
// The manager serves mpactor clients on one port and Python clients on
// another (server::serve_python), with three shared type ids: "get_jobs" (a
// JoinableQueue), "get_results" (a dict) and "get_start" (a Barrier of the
// three workers). The C++ side puts 12 jobs; two Python worker processes
// (worker.py) and one C++ worker thread take them, store n -> (n*n, who) in
// the dict and call task_done(). Each worker waits at the Barrier after its
// first job, so every worker takes at least one job however fast the
// others start (the C++ thread would otherwise take them all before Python
// has started). The C++ side join()s the queue, then checks every result
// and that each worker did some. Python's tuples come back to C++ as tagged
// json and to Python as tuples.
//
//   python_workers WORKER_PY       (scripts/demo.sh runs it)

#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <spawn.h>
#include <sys/wait.h>

#include <mpactor/actors/python/python_value.hpp>
#include <mpactor/mpactor.hpp>

extern char** environ;

using namespace mpactor;

namespace {

constexpr int jobs = 12;
constexpr int python_workers = 2;

pid_t spawn_python(const std::string& script, const Address& at, const std::string& key,
                   const std::string& name) {
  std::string port = std::to_string(at.port);
  std::vector<char*> argv{const_cast<char*>("python3"), const_cast<char*>(script.c_str()),
                          const_cast<char*>(at.host.c_str()), port.data(),
                          const_cast<char*>(key.c_str()), const_cast<char*>(name.c_str()),
                          nullptr};
  pid_t pid = 0;
  if (posix_spawnp(&pid, "python3", nullptr, nullptr, argv.data(), environ) != 0)
    throw ProcessError("cannot start python3");
  return pid;
}

void cpp_worker(const Address& at, const std::string& key, int& done, std::string& error) {
  try {
    BaseManager m{at, key};
    m.connect();
    auto queue = m.create<JoinableQueueProxy>("get_jobs");
    auto results = m.create<DictProxy>("get_results");
    auto start = m.create<BarrierProxy>("get_start");
    for (;;) {
      auto job = queue.get();
      if (job.is_null()) {
        queue.task_done();
        return;
      }
      int n = job.get<int>();
      results.set(n, python::py_tuple(n * n, "c++"));
      if (++done == 1)
        start.wait(); // every worker has taken one job
      queue.task_done();
    }
  } catch (const Error& e) {
    error = e.what();
  }
}

} // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: python_workers WORKER_PY\n");
    return 2;
  }
  std::string key = "python-workers-demo-key"; // loopback only
  SyncManager manager{Address{"127.0.0.1", 0}, key};
  manager.register_shared("get_jobs", "JoinableQueue");
  manager.register_shared("get_results", "dict");
  // A timeout: a worker that never comes breaks the Barrier, not the demo.
  manager.register_shared("get_start", "Barrier",
                          {{"parties", python_workers + 1}, {"timeout", 30}});
  auto& srv = manager.get_server();
  srv.serve_python(Address{"127.0.0.1", 0});
  std::thread serving{[&] { srv.serve_forever(); }};

  BaseManager m{srv.address(), key};
  m.connect();
  auto queue = m.create<JoinableQueueProxy>("get_jobs");
  auto results = m.create<DictProxy>("get_results");
  for (int n = 1; n <= jobs; ++n)
    queue.put(n);
  for (int i = 0; i < python_workers + 1; ++i)
    queue.put(nullptr); // one stop per worker

  std::vector<pid_t> children;
  for (int i = 1; i <= python_workers; ++i)
    children.push_back(spawn_python(argv[1], srv.python_address(), key,
                                    "python-" + std::to_string(i)));
  int cpp_done = 0;
  std::string cpp_error;
  std::thread worker{[&] { cpp_worker(srv.address(), key, cpp_done, cpp_error); }};
  worker.join();
  int failed = 0;
  for (auto pid : children) {
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
      ++failed;
  }
  if (!cpp_error.empty() || failed != 0) {
    // Some jobs may not be done: a join() could wait for ever.
    std::printf("FAILED: %d python worker(s) failed; C++ worker: %s\n", failed,
                cpp_error.empty() ? "ok" : cpp_error.c_str());
    srv.shutdown();
    serving.join();
    return 1;
  }
  queue.join(); // every worker has stopped: returns at once
  int right = 0;
  std::map<std::string, int> by_worker; // who did how many jobs
  for (int n = 1; n <= jobs; ++n) {
    auto r = python::py_payload(results.get(n));
    if (r.is_array() && r.size() == 2 && r[0] == n * n) {
      ++right;
      ++by_worker[r[1].get<std::string>()];
    }
  }
  bool all_worked = by_worker.size() == static_cast<std::size_t>(python_workers + 1);
  std::printf("%d jobs done, %d results right, %s\n", jobs, right,
              all_worked ? "every worker took jobs" : "NOT every worker took jobs");
  for (auto& [who, n] : by_worker)
    std::printf("  %s: %d\n", who.c_str(), n);
  srv.shutdown();
  serving.join();
  return right == jobs && all_worked ? 0 : 1;
}

// python_workers: a C++ manager whose JoinableQueue and dict are shared by
// unmodified Python workers (multiprocessing.managers) and a C++ worker.
//
// The manager serves mpactor clients on one port and Python clients on
// another (server::serve_python), with two shared type ids: "get_jobs" (a
// JoinableQueue) and "get_results" (a dict). The C++ side puts 12 jobs; two
// Python worker processes (worker.py) and one C++ worker thread take them,
// store n -> (n*n, who) in the dict and call task_done(); the C++ side
// join()s the queue, then checks every result. Python's tuples come back
// to C++ as tagged json and to Python as tuples.
//
//   python_workers WORKER_PY       (scripts/demo.sh runs it)

#include <cstdio>
#include <cstdlib>
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

void cpp_worker(const Address& at, const std::string& key, int& done) {
  BaseManager m{at, key};
  m.connect();
  auto queue = m.create<JoinableQueueProxy>("get_jobs");
  auto results = m.create<DictProxy>("get_results");
  for (;;) {
    auto job = queue.get();
    if (job.is_null()) {
      queue.task_done();
      return;
    }
    int n = job.get<int>();
    results.set(n, python::py_tuple(n * n, "c++"));
    ++done;
    queue.task_done();
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
  std::thread worker{[&] { cpp_worker(srv.address(), key, cpp_done); }};
  queue.join();
  worker.join();
  int failed = 0;
  for (auto pid : children) {
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
      ++failed;
  }
  int right = 0;
  for (int n = 1; n <= jobs; ++n) {
    auto r = python::py_payload(results.get(n));
    if (r.is_array() && r.size() == 2 && r[0] == n * n)
      ++right;
  }
  std::printf("%d jobs done, %d results right, %d by the C++ worker, python workers %s\n", jobs,
              right, cpp_done, failed == 0 ? "ok" : "FAILED");
  srv.shutdown();
  serving.join();
  return right == jobs && failed == 0 ? 0 : 1;
}

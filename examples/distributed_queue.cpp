// distributed_queue: a server node, producer and consumer nodes sharing a job
// queue and a result dict (Python's "remote manager" pattern).
//
// The server registers two shared type ids: every client that asks for
// "get_jobs" gets the same JoinableQueue, and "get_results" the same dict.
// Producers and consumers are separate programs that know only the server's
// address and the authkey (from $MPACTOR_AUTHKEY, never the command line).
// A producer also sends a proxy through the queue: a consumer on another
// node uses it as it is.
//
//   ./distributed_queue                        all on this machine: runs a
//                                              server, a producer and two
//                                              consumers as separate programs
//   ./distributed_queue server HOST PORT        (prints "serving on HOST:PORT")
//   ./distributed_queue producer HOST PORT JOBS CONSUMERS
//   ./distributed_queue consumer HOST PORT NAME
//   ./distributed_queue waiter HOST PORT        blocks on an empty queue; shows
//                                              what a cut link does to a call

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <mpactor/actors/wire/handshake.hpp>
#include <mpactor/mpactor.hpp>

extern char** environ;

using namespace mpactor;

namespace {

std::string authkey() {
  const char* key = std::getenv("MPACTOR_AUTHKEY");
  if (key == nullptr || *key == '\0')
    throw ValueError("set MPACTOR_AUTHKEY to the server's authkey");
  return key;
}

Address address(const char* host, const char* port) {
  return Address{host, static_cast<std::uint16_t>(std::atoi(port))};
}

int serve(const Address& addr) {
  SyncManager m{addr, authkey()};
  m.register_shared("get_jobs", "JoinableQueue");
  m.register_shared("get_results", "dict");
  auto& srv = m.get_server();
  std::printf("serving on %s\n", srv.address().to_string().c_str());
  std::fflush(stdout);
  static server* running = &srv;
  signal(SIGTERM, [](int) { running->shutdown(); });
  srv.serve_forever();
  return 0;
}

int produce(const Address& addr, int jobs, int consumers) {
  BaseManager m{addr, authkey()};
  m.connect();
  auto queue = m.create<JoinableQueueProxy>("get_jobs");
  auto note = m.create<DictProxy>("dict"); // a proxy that travels as a job
  note.set("from", "producer");
  queue.put(json{{"note", note}});
  for (int n = 1; n <= jobs; ++n)
    queue.put(n);
  for (int i = 0; i < consumers; ++i)
    queue.put(nullptr);
  queue.join(); // every job has been done by some consumer
  std::printf("producer: %d jobs done\n", jobs);
  std::printf("producer: the dict proxy sent through the queue was used by %s\n",
              note.get<std::string>("seen_by").c_str());
  return 0;
}

int consume(const Address& addr, const std::string& name) {
  BaseManager m{addr, authkey()};
  m.connect();
  auto queue = m.create<JoinableQueueProxy>("get_jobs");
  auto results = m.create<DictProxy>("get_results");
  for (;;) {
    auto job = queue.get();
    if (job.is_null()) {
      queue.task_done();
      return 0;
    }
    if (job.is_object()) { // the proxy sent by the producer
      auto note = queue.convert<DictProxy>(job["note"]);
      note.set("seen_by", name);
    } else {
      int n = job.get<int>();
      results[n] = n * n;
    }
    queue.task_done();
  }
}

int wait_for_cut(const Address& addr) {
  BaseManager m{addr, authkey()};
  m.connect();
  auto queue = m.create<QueueProxy>("Queue"); // empty: get waits in the server
  std::printf("waiter: waiting\n");
  std::fflush(stdout);
  auto t0 = std::chrono::steady_clock::now();
  try {
    queue.get();
  } catch (const ConnectionError& e) {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::steady_clock::now() - t0)
                .count();
    std::printf("waiter: ConnectionError after the link went down (%lld ms after the call): %s\n",
                static_cast<long long>(ms), e.what());
    return 3;
  }
  return 0;
}

pid_t spawn_self(std::vector<std::string> args, int* out_fd = nullptr) {
  char self[4096];
  auto n = readlink("/proc/self/exe", self, sizeof(self) - 1);
  if (n <= 0)
    throw ProcessError("cannot find this program");
  self[n] = '\0';
  std::vector<char*> argv{self};
  for (auto& a : args)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  int fds[2] = {-1, -1};
  if (out_fd != nullptr) {
    if (pipe(fds) != 0)
      throw ProcessError("pipe failed");
    posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
  }
  std::fflush(nullptr);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, self, &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (out_fd != nullptr) {
    close(fds[1]);
    *out_fd = fds[0];
  }
  if (rc != 0)
    throw ProcessError("posix_spawn failed");
  return pid;
}

int exit_status(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// Runs everything on this machine, as separate programs on loopback.
int demo() {
  std::string key;
  for (unsigned char c : random_bytes(16))
    key += "0123456789abcdef"[c % 16];
  setenv("MPACTOR_AUTHKEY", key.c_str(), 1);
  int out = -1;
  auto server = spawn_self({"server", "127.0.0.1", "0"}, &out);
  char line[256] = {0};
  auto n = read(out, line, sizeof(line) - 1); // "serving on 127.0.0.1:PORT"
  std::string text{line, n > 0 ? static_cast<std::size_t>(n) : 0};
  auto colon = text.rfind(':');
  if (colon == std::string::npos)
    throw ProcessError("the server did not start");
  auto port = std::to_string(std::atoi(text.c_str() + colon + 1));
  std::printf("server node: listening on 127.0.0.1 (port chosen by the system)\n");
  auto c1 = spawn_self({"consumer", "127.0.0.1", port, "consumer-1"});
  auto c2 = spawn_self({"consumer", "127.0.0.1", port, "consumer-2"});
  auto producer = spawn_self({"producer", "127.0.0.1", port, "20", "2"});
  int rc = exit_status(producer) | exit_status(c1) | exit_status(c2);
  BaseManager m{Address{"127.0.0.1", static_cast<std::uint16_t>(std::atoi(port.c_str()))}, key};
  m.connect();
  auto results = m.create<DictProxy>("get_results");
  long sum = 0;
  for (auto& [k, v] : results.items())
    sum += v.get<long>();
  std::printf("results: %zu squares, sum %ld (expected 2870)\n", len(results), sum);
  kill(server, SIGTERM);
  rc |= exit_status(server);
  std::printf("all nodes exited %s\n", rc == 0 ? "cleanly" : "with errors");
  close(out);
  return rc == 0 && sum == 2870 ? 0 : 1;
}

} // namespace

int main(int argc, char** argv) {
  try {
    std::string mode = argc > 1 ? argv[1] : "";
    if (mode.empty())
      return demo();
    if (mode == "server" && argc == 4)
      return serve(address(argv[2], argv[3]));
    if (mode == "producer" && argc == 6)
      return produce(address(argv[2], argv[3]), std::atoi(argv[4]), std::atoi(argv[5]));
    if (mode == "consumer" && argc == 5)
      return consume(address(argv[2], argv[3]), argv[4]);
    if (mode == "waiter" && argc == 4)
      return wait_for_cut(address(argv[2], argv[3]));
    std::fprintf(stderr, "usage: see the comment at the top of distributed_queue.cpp\n");
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "distributed_queue: %s\n", e.what());
    return 1;
  }
}

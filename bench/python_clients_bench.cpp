// bench_python_clients: one unmodified Python client program
// (bench/python_clients_baseline.py, multiprocessing.managers) against
// mpactor's Python listener and against Python's own SyncManager server, side
// by side in one run on this machine.
//
//   sync dict set+get, 1 client process      goal: mpactor >= 1.3x Python's
//   sync dict set+get, 32 client processes   goal: mpactor >= 3x Python's
//   Queue put->get, 1 client process
//
// mpactor's side is a SyncManager started with start() and serve_python();
// Python's is SyncManager.get_server().serve_forever() in its own process
// (python3 from PATH). Both serve on 127.0.0.1 TCP. Figures are medians of
// interleaved rounds (mpactor, Python, mpactor, ...), in set+get pairs or
// put->get round trips per second of all client processes together.
// The floor column (N processes only) is bench/python_floor_server.hpp: the
// least any server of these clients must do (one thread reading,
// authenticating and answering with one dict). With N client processes on
// a small machine the clients' own CPU bounds throughput: floor/Python is
// then the most any server design could show here, and mpactor/floor what
// mpactor's design costs on top of the floor. (One client process is bound
// by latency instead, where the floor, which sleeps between calls, is no
// bound.)
// The last column is the CPU time each server spent per pair or round trip
// (user + system, all its threads): on a small machine the client processes
// compete with the server for the cores, so the throughput ratio stays
// below the ratio of server costs. The load average is printed before and
// after: other work on the machine moves these figures.
//
// Where each server runs moves them too. Linux shares the CPUs first among
// autogroups (one per session) and then among the tasks of each. By
// default the three servers share the session of the bench and its client
// processes, as a manager does that the program whose processes call it
// started (Python's SyncManager.start(), mpactor's): a server then gets
// one share among 33 busy tasks, and Python's single-threaded server, bound
// by that share, falls furthest. With --own-sessions 1 each server runs in
// a session of its own, as one started from another terminal or as a
// service: each gets a fair share against all its clients together.
//
// Run: build/bench/bench_python_clients [--script PATH] [--rounds N]
//        [--procs N] [--pairs N] [--queue-ops N] [--unix 1] [--own-sessions 1]
//      (--unix 1: both servers listen on Unix sockets, the family Python's
//      own managers use by default, instead of 127.0.0.1 TCP)
//      (default script: bench/python_clients_baseline.py, from the
//      repository's root, as scripts/bench.sh runs it)

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <mpactor/actors/wire/handshake.hpp>
#include <mpactor/mpactor.hpp>

#include "python_floor_server.hpp"
#include "side_by_side.hpp"

extern char** environ;

namespace {

std::string loadavg() {
  std::ifstream in{"/proc/loadavg"};
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c;
}

std::string hex(const std::string& bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

// Python's own server: python3 SCRIPT serve KEY, which prints its port.
struct python_server {
  pid_t pid = 0;
  std::uint16_t port = 0;

  python_server(const std::string& script, const std::string& key, const std::string& path,
                bool own_session) {
    int out[2];
    if (pipe(out) != 0)
      throw mpactor::ProcessError("pipe");
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_addclose(&fa, out[0]);
    std::vector<char*> argv{const_cast<char*>("python3"), const_cast<char*>(script.c_str()),
                            const_cast<char*>("serve"), const_cast<char*>(key.c_str())};
    if (!path.empty())
      argv.push_back(const_cast<char*>(path.c_str()));
    argv.push_back(nullptr);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    if (own_session)
      posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID);
    int rc = posix_spawnp(&pid, "python3", &fa, &attr, argv.data(), environ);
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&fa);
    ::close(out[1]);
    if (rc != 0)
      throw mpactor::ProcessError("cannot start python3");
    FILE* f = fdopen(out[0], "r");
    int p = 0;
    if (f == nullptr || std::fscanf(f, "%d", &p) != 1 || (p <= 0 && path.empty()))
      throw mpactor::ProcessError("Python's server did not print its port");
    std::fclose(f);
    port = static_cast<std::uint16_t>(p);
  }

  ~python_server() {
    kill(pid, SIGTERM);
    waitpid(pid, nullptr, 0);
  }
};

// One run of the client program: its figure (0 if it failed) and the CPU
// seconds the server `server` spent meanwhile.
struct run_result {
  double rate = 0;
  double server_cpu = 0;
};

// `where`: "HOST PORT", or "unix PATH".
run_result run_client(const std::string& script, const std::string& mode,
                      const std::string& where, const std::string& key, const std::string& rest,
                      pid_t server) {
  auto cmd = "python3 " + script + " " + mode + " " + where + " " + key + " " + rest;
  run_result r;
  double cpu0 = bench::process_cpu(server);
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr || std::fscanf(p, "%lf", &r.rate) != 1)
    r.rate = 0;
  if (p != nullptr && pclose(p) != 0)
    r.rate = 0;
  r.server_cpu = bench::process_cpu(server) - cpu0;
  return r;
}

} // namespace

int main(int argc, char** argv) {
  std::string script = "bench/python_clients_baseline.py";
  int rounds = 3, procs = 32, pairs = 5000, queue_ops = 5000;
  bool unix_sockets = false, own_sessions = false;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i], v = argv[i + 1];
    if (a == "--script")
      script = v;
    else if (a == "--rounds")
      rounds = std::stoi(v);
    else if (a == "--procs")
      procs = std::stoi(v);
    else if (a == "--pairs")
      pairs = std::stoi(v);
    else if (a == "--queue-ops")
      queue_ops = std::stoi(v);
    else if (a == "--unix")
      unix_sockets = v != "0";
    else if (a == "--own-sessions")
      own_sessions = v != "0";
  }
  if (access(script.c_str(), R_OK) != 0) {
    std::fprintf(stderr, "bench_python_clients: no %s (run from the repository's root, or "
                         "--script PATH)\n", script.c_str());
    return 2;
  }
  auto key = hex(mpactor::random_bytes(16)); // a hex key: it goes on command lines
  std::printf("load average before: %s\n", loadavg().c_str());
  std::string dir;
  if (unix_sockets) {
    char tmpl[] = "/tmp/mpactor-bench-XXXXXX";
    if (mkdtemp(tmpl) == nullptr)
      throw mpactor::ProcessError("mkdtemp");
    dir = tmpl;
  }
  // Forked before anything starts a thread.
  bench::python_floor_server floor{key, unix_sockets ? dir + "/floor.sock" : std::string{},
                                   own_sessions};
  mpactor::SyncManager ours{mpactor::Address{"127.0.0.1", 0}, key};
  ours.serve_python(unix_sockets ? mpactor::Address::unix_socket(dir + "/mpactor.sock")
                                 : mpactor::Address{"127.0.0.1", 0});
  if (own_sessions)
    ours.start([] { setsid(); }); // in the server's process, before it serves
  else
    ours.start();
  python_server theirs{script, key, unix_sockets ? dir + "/python.sock" : std::string{},
                       own_sessions};
  auto our_place = unix_sockets ? "unix " + dir + "/mpactor.sock"
                                : "127.0.0.1 " + std::to_string(ours.python_address().port);
  auto floor_place = unix_sockets ? "unix " + dir + "/floor.sock"
                                  : "127.0.0.1 " + std::to_string(floor.port);
  auto their_place = unix_sockets ? "unix " + dir + "/python.sock"
                                  : "127.0.0.1 " + std::to_string(theirs.port);
  std::printf("transport: %s\n", unix_sockets ? "Unix sockets" : "127.0.0.1 TCP");
  std::printf("sessions: %s\n",
              own_sessions ? "each server in a session (Linux autogroup) of its own, as one "
                             "started from another terminal or as a service"
                           : "the servers share the clients' session (one Linux autogroup), as a "
                             "manager started by the program whose processes call it");

  struct row {
    const char* name;
    std::string mode, rest;
    const char* unit;
    double goal;
    bool floored; // also against the floor server
  };
  // Each process of the 32 does fewer pairs (Python's server takes
  // seconds), but enough for a round of about 2 s against mpactor: the
  // server adapts to CPU pressure within half a second (idle_poller), and
  // a round should measure it adapted.
  int pairs_each = std::max(1, pairs / 5);
  std::vector<row> rows{
    {"dict set+get, 1 process", "dict", "1 " + std::to_string(pairs), "pair/s", 1.3, false},
    {"dict set+get, N processes", "dict",
     std::to_string(procs) + " " + std::to_string(pairs_each), "pair/s", 3.0, true},
    {"Queue put->get, 1 process", "queue", std::to_string(queue_ops), "trip/s", 0, false},
  };
  std::printf("%-28s %14s %14s %9s  %-16s %14s %9s %9s  %s\n", "Python client program",
              "mpactor", "Python server", "ratio", "goal", "floor", "floor/Py", "mp/floor",
              "server CPU us/op (mpactor / Python / floor)");
  int missed = 0;
  for (auto& r : rows) {
    std::vector<double> a, b, f, cpu_a, cpu_b, cpu_f;
    bool floored = r.floored;
    for (int i = 0; i < rounds; ++i) {
      auto x = run_client(script, r.mode, our_place, key, r.rest, ours.server_pid());
      auto y = run_client(script, r.mode, their_place, key, r.rest, theirs.pid);
      a.push_back(x.rate);
      b.push_back(y.rate);
      cpu_a.push_back(x.server_cpu);
      cpu_b.push_back(y.server_cpu);
      if (floored) {
        auto z = run_client(script, r.mode, floor_place, key, r.rest, floor.pid);
        f.push_back(z.rate);
        cpu_f.push_back(z.server_cpu);
      }
    }
    double x = bench::median(a), y = bench::median(b), z = bench::median(f);
    // Operations of one run: what the rate counts (pairs count as one).
    double ops = 0;
    {
      std::istringstream in{r.rest};
      double first = 0, second = 1;
      in >> first;
      if (!(in >> second))
        second = 1;
      ops = first * second;
    }
    std::string name = r.name;
    if (r.mode == "dict" && name.find('N') != std::string::npos)
      name = "dict set+get, " + std::to_string(procs) + " processes";
    char goal[32] = "";
    if (r.goal > 0)
      std::snprintf(goal, sizeof goal, ">= %.1fx%s", r.goal,
                    y > 0 && x / y < r.goal ? " MISSED" : "");
    if (r.goal > 0 && y > 0 && x / y < r.goal)
      ++missed;
    std::string floor_cols = "             -         -         -";
    if (floored) {
      char cols[96];
      std::snprintf(cols, sizeof cols, "%8.0f %-5s %9s %9s", z, r.unit,
                    bench::ratio("", z, y).c_str(), bench::ratio("", x, z).c_str());
      floor_cols = cols;
    }
    std::printf("%-28s %8.0f %-5s %8.0f %-5s %9s  %-16s %s  %.1f / %.1f", name.c_str(), x, r.unit,
                y, r.unit, bench::ratio("", x, y).c_str(), goal, floor_cols.c_str(),
                bench::median(cpu_a) / ops * 1e6, bench::median(cpu_b) / ops * 1e6);
    if (floored)
      std::printf(" / %.1f", bench::median(cpu_f) / ops * 1e6);
    std::printf("\n");
    // The rounds themselves: on a small shared machine they spread widely.
    std::string spread = "  rounds: mpactor";
    for (double v : a)
      spread += " " + std::to_string(static_cast<long>(v));
    spread += "; Python";
    for (double v : b)
      spread += " " + std::to_string(static_cast<long>(v));
    if (floored)
      spread += "; floor";
    for (double v : f)
      spread += " " + std::to_string(static_cast<long>(v));
    std::printf("%s\n", spread.c_str());
    std::fflush(stdout);
  }
  std::printf("load average after: %s\n", loadavg().c_str());
  ours.shutdown();
  if (unix_sockets) {
    ::unlink((dir + "/mpactor.sock").c_str());
    ::unlink((dir + "/python.sock").c_str());
    ::unlink((dir + "/floor.sock").c_str());
    ::rmdir(dir.c_str());
  }
  return missed == 0 ? 0 : 1;
}

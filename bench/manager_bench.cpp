// bench_manager: the server-process model (Manager, proxies) side by side with
// its anchors, in one run on this machine.
//
//   dict set+get from a forked child  vs  Python Manager dict (the anchor's
//     dict_ops, in one mp.Process)  vs  redis-benchmark -c 1 SET/GET
//   Queue put->get, 1 producer process -> 1 consumer process  vs  Python
//     Manager Queue (the anchor's q_prod/q_cons); the same with put_many /
//     get_many batches of 256 (Python has none: its per-item put/get is
//     the anchor of both rows)
//   create + drop a managed dict (latency per object)
//   2 threads of one process sharing one DictProxy (get/set)
//   server memory (VmRSS) per idle managed dict at 100,000 dicts
//   redis-benchmark -P 32 (pipelined) for reference
//   1-byte ping-pong between 2 processes over loopback TCP and over a Unix
//     socket: the floor for one synchronous round trip (Python's Manager
//     uses a Unix socket on Linux, mpactor loopback TCP)
//
// The bench starts its own redis-server on a free 127.0.0.1 port (no
// persistence) and stops it at the end; Redis rows are skipped when
// redis-server or redis-benchmark is missing, Python rows when python3 or the
// anchor is. Throughputs are medians of 3 interleaved rounds; ratios compare
// figures of the same run. Takes about 30 s.
//
// Run: build/bench/bench_manager [--python PATH-TO-ANCHOR]
//      (default anchor: bench/python_baseline.py, from the repository's root)
//      build/bench/bench_manager --pipelined-only ROUNDS
//      (only pipelined gets against redis-benchmark -P 32, ROUNDS interleaved
//      rounds, each printed: the row that moves most with the machine's load)

#include <algorithm>
#include <functional>
#include <memory>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <caf/all.hpp>

#include <mpactor/mpactor.hpp>

#include "redis_server.hpp"
#include "side_by_side.hpp"

extern char** environ;

namespace {

using bench::clock_type;
using bench::redis_server;
using bench::median;
using bench::ratio;
using bench::seconds_since;

std::string run_capture(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr)
    return out;
  char buf[4096];
  size_t k;
  while ((k = std::fread(buf, 1, sizeof(buf), p)) > 0)
    out.append(buf, k);
  pclose(p);
  return out;
}

// --- Python anchor -----------------------------------------------------------

struct python_figures {
  double dict_ops = 0;  // Manager dict set+get from one child process, ops/s
  double queue_ops = 0; // Manager Queue put->get, 1 producer 1 consumer, items/s
};

python_figures python_round(const std::string& anchor, long n_dict, long n_queue) {
  auto dir = anchor.substr(0, anchor.find_last_of('/'));
  std::string nd = std::to_string(n_dict), nq = std::to_string(n_queue);
  std::string cmd
    = "python3 -c \"import sys; sys.path.insert(0, '" + dir
      + "'); import python_baseline as pb, multiprocessing as mp, time\n"
        "with mp.Manager() as m:\n"
        "  d = m.dict(); s = pb.run_procs(pb.dict_ops, (d, " + nd + ", 0), k=1)\n"
        "  print(2 * " + nd + " / s if len(d) == 64 else -1)\n"
        "  q = m.Queue(); p = mp.Process(target=pb.q_prod, args=(q, " + nq + "))\n"
        "  c = mp.Process(target=pb.q_cons, args=(q,))\n"
        "  t = time.perf_counter(); p.start(); c.start(); p.join(); c.join()\n"
        "  print(" + nq + " / (time.perf_counter() - t))\n"
        "\" 2>/dev/null";
  python_figures f;
  auto out = run_capture(cmd);
  if (std::sscanf(out.c_str(), "%lf %lf", &f.dict_ops, &f.queue_ops) != 2)
    f = {};
  return f;
}

// --- Redis anchor ------------------------------------------------------------

// requests/s of "NAME: X requests per second" in redis-benchmark -q output.
double redis_rps(const std::string& out, const std::string& name) {
  auto at = out.rfind(name + ": ");
  if (at == std::string::npos)
    return 0;
  double rps = 0;
  char tail[32] = {};
  if (std::sscanf(out.c_str() + at + name.size() + 2, "%lf %31s", &rps, tail) != 2
      || std::string{tail} != "requests")
    return 0;
  return rps;
}

struct redis_figures {
  double set = 0, get = 0;
  double both() const { return set > 0 && get > 0 ? 2 / (1 / set + 1 / get) : 0; }
};

redis_figures redis_round(int port, long n, int pipeline) {
  std::string cmd = "redis-benchmark -h 127.0.0.1 -p " + std::to_string(port) + " -c 1 -n "
                    + std::to_string(n) + " -t set,get -q";
  if (pipeline > 1)
    cmd += " -P " + std::to_string(pipeline);
  auto out = run_capture(cmd + " 2>/dev/null");
  return {redis_rps(out, "SET"), redis_rps(out, "GET")};
}

// --- transport floor ------------------------------------------------------------

// Round trips/s of 1 byte over loopback TCP between this process and a forked
// echo child, blocking reads: what one synchronous call cannot beat here.
double tcp_ping_pong(long n) {
  int lfd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(a);
  if (::bind(lfd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0 || ::listen(lfd, 1) != 0
      || ::getsockname(lfd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    ::close(lfd);
    return 0;
  }
  pid_t pid = ::fork();
  if (pid == 0) {
    int fd = ::accept(lfd, nullptr, nullptr);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    char b;
    while (::recv(fd, &b, 1, 0) == 1 && ::send(fd, &b, 1, 0) == 1) {
    }
    ::_exit(0);
  }
  ::close(lfd);
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  double rate = 0;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0) {
    char b = 'x';
    auto t0 = clock_type::now();
    long i = 0;
    for (; i < n; ++i)
      if (::send(fd, &b, 1, 0) != 1 || ::recv(fd, &b, 1, MSG_WAITALL) != 1)
        break;
    rate = i == n ? n / seconds_since(t0) : 0;
  }
  ::close(fd);
  int st;
  ::waitpid(pid, &st, 0);
  return rate;
}

// The same over a Unix socket pair (what Python's Manager uses on Linux).
double unix_ping_pong(long n) {
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
    return 0;
  pid_t pid = ::fork();
  if (pid == 0) {
    ::close(sv[0]);
    char b;
    while (::recv(sv[1], &b, 1, 0) == 1 && ::send(sv[1], &b, 1, 0) == 1) {
    }
    ::_exit(0);
  }
  ::close(sv[1]);
  char b = 'x';
  auto t0 = clock_type::now();
  long i = 0;
  for (; i < n; ++i)
    if (::send(sv[0], &b, 1, 0) != 1 || ::recv(sv[0], &b, 1, MSG_WAITALL) != 1)
      break;
  double rate = i == n ? n / seconds_since(t0) : 0;
  ::close(sv[0]);
  int st;
  ::waitpid(pid, &st, 0);
  return rate;
}

// --- mpactor -------------------------------------------------------------------

// Resident set size of `pid` in bytes (VmRSS of /proc/PID/status).
long rss_bytes(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0)
      return std::atol(line.c_str() + 6) * 1024;
  return 0;
}

void dict_loop(const mpactor::DictProxy& d, long n) {
  for (long i = 0; i < n; ++i) {
    d.set(i % 64, i);
    if (d.get<long>(i % 64) != i)
      throw std::runtime_error("dict read back a wrong value");
  }
}

// dict set+get from a forked child; ops/s (2 ops per iteration).
double mp_dict_child(const mpactor::SyncManager& m, long n) {
  auto d = m.dict();
  d.set(0, 0); // warm this process's connection
  mpactor::Process p([d, n] {
    d.get(0); // the child's own connection (handshake) before timing
    auto t0 = clock_type::now();
    dict_loop(d, n);
    double s = seconds_since(t0);
    d.set("secs", s);
  });
  p.start();
  p.join();
  if (p.exitcode() != 0)
    return 0;
  return 2 * n / d.get<double>("secs");
}

// A managed dict of the keys "0".."63", each mapped to its number.
mpactor::DictProxy dict_of_64(const mpactor::SyncManager& m) {
  auto d = m.dict();
  mpactor::json init = mpactor::json::object();
  for (int k = 0; k < 64; ++k)
    init[std::to_string(k)] = k;
  d.update(init);
  return d;
}

// dict gets pipelined from a forked child in Batches of 1000; gets/s.
double mp_dict_pipelined(const mpactor::SyncManager& m, long n) {
  auto d = dict_of_64(m);
  mpactor::Process p([d, n] {
    d.get("0"); // the child's own connection before timing
    auto t0 = clock_type::now();
    for (long done = 0; done < n;) {
      mpactor::Batch batch;
      std::vector<mpactor::Future> gets;
      for (long i = 0; i < 1000 && done < n; ++i, ++done)
        gets.push_back(batch.add(d, "get", {{"key", std::to_string(done % 64)}}));
      batch.run();
      for (std::size_t i = 0; i < gets.size(); ++i)
        if (gets[i].get<long>() < 0)
          throw std::runtime_error("a pipelined get read a wrong value");
    }
    d.set("secs", seconds_since(t0));
  });
  p.start();
  p.join();
  if (p.exitcode() != 0)
    return 0;
  return n / d.get<double>("secs");
}

// dict gets from a CAF actor in a forked child through the dict's handle,
// 256 requests in flight; gets/s. (CAF's own BASP, measured on this kind of
// machine, does 55-80k/s pipelined.)
double mp_dict_actor(const mpactor::SyncManager& m, long n) {
  auto d = dict_of_64(m);
  mpactor::Process p([d, n] {
    caf::actor_system_config cfg;
    cfg.set("scheduler.policy", caf::atom("sharing"));
    cfg.set("logger.verbosity", caf::atom("quiet"));
    caf::actor_system sys{cfg};
    auto handle = d.actor(sys);
    auto secs = std::make_shared<double>(0);
    auto bad = std::make_shared<bool>(false);
    auto reader = sys.spawn([=](caf::event_based_actor* self) {
      auto sent = std::make_shared<long>(0);
      auto done = std::make_shared<long>(0);
      auto t0 = clock_type::now();
      // Each reply sends the next request, so 256 stay in flight.
      auto next = std::make_shared<std::function<void()>>();
      *next = [=] {
        auto k = (*sent)++ % 64;
        self->request(handle, caf::infinite, mpactor::call_atom::value, std::string{"get"},
                      mpactor::json{{"key", std::to_string(k)}})
          .then(
            [=](const mpactor::json& v) {
              if (v != k)
                *bad = true;
              if (++*done == n) {
                *secs = seconds_since(t0);
                self->quit();
              } else if (*sent < n) {
                (*next)();
              }
            },
            [=](caf::error&) {
              *bad = true;
              self->quit();
            });
      };
      for (int i = 0; i < 256 && *sent < n; ++i)
        (*next)();
      self->attach_functor([next] { *next = nullptr; }); // the cycle ends with the actor
    });
    caf::scoped_actor self{sys};
    self->wait_for(reader);
    if (*bad)
      throw std::runtime_error("an actor's get read a wrong value");
    d.set("secs", *secs);
  });
  p.start();
  p.join();
  if (p.exitcode() != 0)
    return 0;
  return n / d.get<double>("secs");
}

// Runs a producer and a consumer process to their end; items/s from `t0`.
// `lost`: the consumer counted (in `done`) fewer or more than `n` items.
template <class Done>
double items_per_second(mpactor::Process& prod, mpactor::Process& cons, Done& done, long n,
                        clock_type::time_point t0, bool& lost) {
  prod.start();
  cons.start();
  prod.join();
  cons.join();
  double s = seconds_since(t0);
  lost |= done.get().template get<long>() != n;
  return n / s;
}

// Queue: 1 producer process -> 1 consumer process; items/s (start to both joined).
double mp_queue(const mpactor::SyncManager& m, long n, bool& lost) {
  auto q = m.Queue();
  auto done = m.Value(0);
  q.qsize(); // warm
  auto t0 = clock_type::now();
  mpactor::Process prod([q, n] {
    for (long i = 0; i < n; ++i)
      q.put(i);
    q.put(nullptr);
  });
  mpactor::Process cons([q, done] {
    long k = 0;
    while (!q.get().is_null())
      ++k;
    done.set(k);
  });
  return items_per_second(prod, cons, done, n, t0, lost);
}

// Queue with batches: the producer puts `batch` items per put_many, the
// consumer takes up to `batch` per get_many; items/s (start to both joined).
double mp_queue_batched(const mpactor::SyncManager& m, long n, std::size_t batch, bool& lost) {
  auto q = m.Queue();
  auto done = m.Value(0);
  q.qsize(); // warm
  auto t0 = clock_type::now();
  mpactor::Process prod([q, n, batch] {
    std::vector<mpactor::json> items;
    items.reserve(batch);
    for (long i = 0; i < n;) {
      items.clear();
      for (; i < n && items.size() < batch; ++i)
        items.emplace_back(i);
      q.put_many(items);
    }
    q.put(nullptr);
  });
  mpactor::Process cons([q, done, batch] {
    long k = 0;
    for (bool end = false; !end;)
      for (auto& x : q.get_many(batch)) {
        if (x.is_null())
          end = true;
        else
          ++k;
      }
    done.set(k);
  });
  return items_per_second(prod, cons, done, n, t0, lost);
}

// Create + drop one managed dict; microseconds per object. The drops are
// one-way messages on the process's anchor connection, which stats() (on the
// thread's own) may overtake; the object count must be back where it
// started, or below it: objects the previous steps dropped just before
// `before` was read may be freed meanwhile, and are no leak of these dicts.
double mp_create_drop_us(const mpactor::SyncManager& m, long n, bool& leaked) {
  long before = m.stats()["objects"].get<long>();
  auto t0 = clock_type::now();
  for (long i = 0; i < n; ++i) {
    auto d = m.dict();
    (void) d;
  }
  long after = m.stats()["objects"].get<long>();
  double s = seconds_since(t0);
  if (after > before) { // the drops may still be in flight on the server
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    after = m.stats()["objects"].get<long>();
  }
  leaked |= after > before;
  return s / n * 1e6;
}

// 2 threads of this process sharing one DictProxy; total ops/s.
double mp_threads(const mpactor::SyncManager& m, long n) {
  auto d = m.dict();
  std::atomic<bool> failed{false};
  auto body = [&](long base) {
    try {
      for (long i = 0; i < n; ++i) {
        d.set(base + i % 32, i);
        if (d.get<long>(base + i % 32) != i)
          failed = true;
      }
    } catch (...) {
      failed = true;
    }
  };
  d.set(0, 0);
  auto t0 = clock_type::now();
  std::thread a(body, 0), b(body, 1000);
  a.join();
  b.join();
  double s = seconds_since(t0);
  return failed ? 0 : 4 * n / s;
}

// --- table ---------------------------------------------------------------------

void row(const char* name, double x, const char* unit, const std::string& note) {
  std::printf("| %-54s | %12.0f %-8s | %-44s |\n", name, x, unit, note.c_str());
}

} // namespace

// --pipelined-only: interleaved rounds of the pipelined row alone, with the
// CPU each side spent per operation (client + server).
int pipelined_only(const mpactor::SyncManager& m, redis_server& redis, int rounds, long n,
                   long n_redis) {
  std::vector<double> mine, theirs;
  for (int r = 0; r < rounds; ++r) {
    auto a = bench::measured(m.server_pid(), static_cast<double>(n),
                             [&] { return mp_dict_pipelined(m, n); });
    bench::figures b;
    if (redis.ready())
      b = bench::measured(redis.pid(), 2.0 * static_cast<double>(n_redis),
                          [&] { return redis_round(redis.port(), n_redis, 32).both(); });
    mine.push_back(a.ops);
    theirs.push_back(b.ops);
    std::printf("round %d: mpactor %.0f gets/s (CPU us/op %.2f+%.2f), redis-benchmark -P 32 %.0f "
                "ops/s (%.2f+%.2f): %.2fx\n",
                r + 1, a.ops, a.client_us, a.server_us, b.ops, b.client_us, b.server_us,
                b.ops > 0 ? a.ops / b.ops : 0);
  }
  double x = median(mine), y = median(theirs);
  std::printf("median: mpactor %.0f, redis %.0f, %.2fx\n", x, y, y > 0 ? x / y : 0);
  return 0;
}

int main(int argc, char** argv) {
  auto anchor = bench::python_anchor(argc, argv);
  bool have_python = std::ifstream(anchor).good();

  constexpr int rounds = 3;
  constexpr long n_dict = 20'000;    // set+get iterations (mpactor, child process)
  constexpr long n_py_dict = 8'000;  // set+get iterations (Python)
  constexpr long n_queue = 20'000;   // items (mpactor)
  constexpr long n_queue_batched = 200'000; // items (mpactor, put_many/get_many)
  constexpr std::size_t queue_batch = 256;
  constexpr long n_py_queue = 5'000; // items (Python)
  constexpr long n_create = 2'000;   // create+drop
  constexpr long n_threads = 10'000; // set+get iterations per thread
  constexpr long n_objects = 100'000;
  constexpr long n_ping = 20'000;    // raw TCP round trips
  constexpr long n_redis = 20'000, n_redis_pipe = 200'000;

  std::vector<double> dict_ops, queue_ops, batched_queue_ops, create_us, thread_ops, pipelined_ops, actor_ops;
  std::vector<double> py_dict, py_queue, redis_c1, redis_p32, ping_pong,
    unix_pong;
  bool lost = false, leaked = false;

  redis_server redis;
  auto m = mpactor::Manager();

  for (int i = 1; i + 1 < argc; ++i)
    if (std::string{argv[i]} == "--pipelined-only")
      return pipelined_only(m, redis, std::atoi(argv[i + 1]), 10 * n_dict, n_redis_pipe);

  for (int r = 0; r < rounds; ++r) {
    dict_ops.push_back(mp_dict_child(m, n_dict));
    pipelined_ops.push_back(mp_dict_pipelined(m, 10 * n_dict));
    actor_ops.push_back(mp_dict_actor(m, 5 * n_dict));
    ping_pong.push_back(tcp_ping_pong(n_ping));
    unix_pong.push_back(unix_ping_pong(n_ping));
    if (redis.ready())
      redis_c1.push_back(redis_round(redis.port(), n_redis, 1).both());
    queue_ops.push_back(mp_queue(m, n_queue, lost));
    batched_queue_ops.push_back(mp_queue_batched(m, n_queue_batched, queue_batch, lost));
    if (have_python) {
      auto f = python_round(anchor, n_py_dict, n_py_queue);
      py_dict.push_back(f.dict_ops);
      py_queue.push_back(f.queue_ops);
    }
    create_us.push_back(mp_create_drop_us(m, n_create, leaked));
    thread_ops.push_back(mp_threads(m, n_threads));
    if (redis.ready())
      redis_p32.push_back(redis_round(redis.port(), n_redis_pipe, 32).both());
  }

  // Memory per idle object: a fresh server, n_objects dicts kept alive.
  double bytes_per_object = 0;
  long objects_made = 0;
  {
    auto mm = mpactor::Manager();
    auto warm = mm.dict();
    warm.set(0, 0);
    long before = rss_bytes(mm.server_pid());
    std::vector<mpactor::DictProxy> keep;
    keep.reserve(n_objects);
    for (long i = 0; i < n_objects; ++i)
      keep.push_back(mm.dict());
    objects_made = mm.stats()["objects"].get<long>() - 1;
    long after = rss_bytes(mm.server_pid());
    bytes_per_object = static_cast<double>(after - before) / n_objects;
  }

  double dict_m = median(dict_ops), queue_m = median(queue_ops);
  double py_dict_m = median(py_dict), py_queue_m = median(py_queue);
  double redis_m = median(redis_c1), redis_p_m = median(redis_p32);
  double create_m = median(create_us), threads_m = median(thread_ops);

  std::printf("| %-54s | %21s | %-44s |\n",
              "operation (median of 3 rounds, this machine)", "figure", "ratio (goal)");
  std::printf("|%s|%s|%s|\n", std::string(56, '-').c_str(), std::string(23, '-').c_str(),
              std::string(46, '-').c_str());
  row("dict set+get, 1 child process (2 ops/iter)", dict_m, "ops/s",
      have_python ? ratio("Python (>= 2x)", dict_m, py_dict_m) : "Python not run");
  if (have_python)
    row("Python Manager dict set+get, 1 child process", py_dict_m, "ops/s",
        "1.00x (anchor)");
  if (redis.ready())
    row("redis-benchmark -c 1 SET/GET (harmonic mean)", redis_m, "ops/s",
        ratio("-> mpactor dict is (>= 1x)", dict_m, redis_m));
  row("Queue put->get, 1 producer -> 1 consumer process", queue_m, "items/s",
      have_python ? ratio("Python (per item)", queue_m, py_queue_m) : "Python not run");
  double batched_m = median(batched_queue_ops);
  row("Queue put_many->get_many (256), 1 prod -> 1 cons", batched_m, "items/s",
      have_python ? ratio("Python (>= 10x)", batched_m, py_queue_m) : "Python not run");
  if (have_python)
    row("Python Manager Queue put->get, 1 prod -> 1 cons", py_queue_m, "items/s",
        "1.00x (anchor)");
  row("create + drop a managed dict", create_m, "us/obj",
      create_m <= 1000 ? "goal <= 1000 us: met" : "goal <= 1000 us: MISSED");
  row("2 threads sharing one DictProxy, get/set", threads_m, "ops/s",
      threads_m >= 50'000 ? "goal >= 50,000 ops/s: met" : "goal >= 50,000 ops/s: MISSED");
  row("server VmRSS per idle managed dict (100,000 dicts)", bytes_per_object, "B/obj",
      bytes_per_object <= 2048 ? "goal <= 2048 B: met" : "goal <= 2048 B: MISSED");
  double pipelined_m = median(pipelined_ops);
  row("dict get pipelined (Batch of 1000), 1 child process", pipelined_m, "ops/s",
      pipelined_m >= 300'000 ? "goal >= 300,000 ops/s: met" : "goal >= 300,000 ops/s: MISSED");
  if (redis.ready())
    row("redis-benchmark -c 1 -P 32 SET/GET", redis_p_m, "ops/s",
        ratio("-> mpactor pipelined get is", pipelined_m, redis_p_m));
  row("dict get from an actor via its handle, 256 in flight", median(actor_ops), "ops/s",
      "(notes: CAF BASP pipelined 55-80k/s)");
  row("raw loopback TCP 1-byte ping-pong, 2 processes", median(ping_pong), "rt/s",
      ratio("-> mpactor dict is (floor)", dict_m, median(ping_pong)));
  row("raw Unix-socket 1-byte ping-pong, 2 processes", median(unix_pong), "rt/s",
      ratio("-> mpactor dict is (floor)", dict_m, median(unix_pong)));
  if (lost)
    std::printf("ERROR: a queue item was lost\n");
  if (leaked)
    std::printf("ERROR: dropped dicts were not freed by the server\n");
  if (objects_made != n_objects)
    std::printf("ERROR: the memory server holds %ld objects, expected %ld\n", objects_made,
                n_objects);
  return lost || leaked || objects_made != n_objects ? 1 : 0;
}

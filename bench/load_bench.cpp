// bench_load: many client processes on one manager (issue 4, section 6),
// mpactor side by side with Python's BaseManager remote server, in one run.
//
//   32 client processes x 5,000 mixed operations on one manager server
//   reachable over loopback TCP with an authkey, against the same load on a
//   Python BaseManager server (bench/load_baseline.py: address
//   ('127.0.0.1', 0), an authkey, 32 fork clients that connect()).
//
// Shared objects: a dict of 16 counters, a Lock, a list, a Namespace, an
// (unbounded) Queue and a Value. Each client draws its operations from a
// fixed-seed xorshift64 generator (identical in both programs, so both run
// exactly the same sequence of operations):
//
//    25%  update     lock.acquire(); d[k] = d.get(k, 0) + 1; lock.release()
//                    (one operation, 4 round trips; the lock is contended)
//    20%  append     list.append(x)
//    15%  ns get     ns.get("x")
//    10%  ns set     ns.set("x", x)
//    15%  queue      put(x) if this client has no item in the queue, else get()
//    15%  value get  v.get()
//
// Each client connects and touches every object first, then all start
// together; every operation is timed (steady_clock) into shared memory.
// Throughput = all operations / (start -> last client done); p50/p99 over
// all operations of all clients. After the run the parent verifies: sum of
// the counters == updates done (else: lost updates), list length == appends,
// queue gets == puts and the queue is empty, no operation raised, every
// client exited 0. Exit status 1 on any mismatch or error (either side).
//
// mpactor's unbounded Queue pipelines put() (it returns once the item is on
// its way; the client's next call is served after it), so its "queue put"
// latency is a send, not a round trip; Python's put is a round trip.
//
// One round each (the load is too heavy for medians of rounds on 2 cores);
// with the defaults it takes about 30 s here (Python's side ~18 s).
//
// Run: build/bench/bench_load [--ops N] [--clients N] [--python PATH]
//      --ops: operations per client, default 5000 (use fewer on a slow box)
//      --python: the baseline script, default: load_baseline.py next to this
//      source (bench/), found from the source dir compiled in.

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include <poll.h>
#include <unistd.h>

#include <mpactor/mpactor.hpp>

#ifndef MPACTOR_BENCH_DIR
#define MPACTOR_BENCH_DIR "bench"
#endif

namespace {

bool pack_when_busy = true; // --io-pack-when-busy

using clock_type = std::chrono::steady_clock;

constexpr int n_keys = 16;
constexpr const char* kind_names[] = {"update", "append", "ns get", "ns set",
                                      "q put",  "q get",  "value get"};
constexpr int n_kinds = 7;

// Per-client counters in shared memory.
enum counter { c_upd, c_app, c_put, c_get, c_err, n_counters };

double now_s() {
  return std::chrono::duration<double>(clock_type::now().time_since_epoch()).count();
}

// xorshift64: identical to load_baseline.py's generator.
struct xorshift64 {
  explicit xorshift64(int client) : s(88172645463325252ULL + 7919ULL * (client + 1)) {}
  std::uint64_t next() {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s >> 32;
  }
  std::uint64_t s;
};

double percentile(const std::vector<double>& sorted, double q) {
  if (sorted.empty())
    return 0;
  return sorted[std::min(sorted.size() - 1, static_cast<size_t>(q * sorted.size()))];
}

struct result {
  bool ran = false;
  long clients = 0, ops = 0, errors = 0, lost = 0;
  double ops_per_s = 0, p50 = 0, p99 = 0;
  bool verified = false;
  std::array<double, n_kinds> kind_p50{};
};

struct shared_objects {
  mpactor::DictProxy d;
  mpactor::AcquirerProxy lock;
  mpactor::ListProxy lst;
  mpactor::NamespaceProxy ns;
  mpactor::QueueProxy q;
  mpactor::ValueProxy v;
};

// What one client process does.
void client_body(int cid, long n_ops, const shared_objects& o, int ready_fd, int go_fd,
                 const mpactor::RawArray<double>& lat, const mpactor::RawArray<int>& kinds,
                 const mpactor::RawArray<long>& counters, const mpactor::RawArray<double>& ends) {
  // Connect (handshake with the authkey) and touch every object before the start.
  o.d.size();
  o.lst.size();
  o.ns.get("x");
  o.q.qsize();
  o.v.get();
  char b = 'r';
  if (::write(ready_fd, &b, 1) != 1 || ::read(go_fd, &b, 1) != 1)
    throw std::runtime_error("start gate failed");

  xorshift64 rng(cid);
  long upd = 0, app = 0, put = 0, got = 0, err = 0;
  bool outstanding = false;
  long base = cid * n_ops;
  for (long i = 0; i < n_ops; ++i) {
    auto r = rng.next() % 100;
    int kind = 0;
    auto t0 = clock_type::now();
    try {
      if (r < 25) {
        kind = 0;
        std::string key = "k" + std::to_string(rng.next() % n_keys);
        std::lock_guard<const mpactor::AcquirerProxy> g(o.lock);
        o.d.set(key, o.d.get<long>(key, 0) + 1);
        ++upd;
      } else if (r < 45) {
        kind = 1;
        o.lst.append(base + i);
        ++app;
      } else if (r < 60) {
        kind = 2;
        o.ns.get("x");
      } else if (r < 70) {
        kind = 3;
        o.ns.set("x", base + i);
      } else if (r < 85) {
        if (!outstanding) {
          kind = 4;
          o.q.put(base + i);
          ++put;
          outstanding = true;
        } else {
          kind = 5;
          o.q.get();
          ++got;
          outstanding = false;
        }
      } else {
        kind = 6;
        o.v.get();
      }
    } catch (const std::exception& e) { // counted; the load goes on
      if (++err <= 3)
        std::fprintf(stderr, "client %d op %ld: %s\n", cid, i, e.what());
    }
    lat[base + i] = std::chrono::duration<double, std::micro>(clock_type::now() - t0).count();
    kinds[base + i] = kind;
  }
  ends[cid] = now_s();
  if (outstanding) { // untimed: leave nothing of ours in the queue
    try {
      o.q.get(true, std::chrono::seconds(60));
      ++got;
    } catch (const std::exception& e) {
      ++err;
      std::fprintf(stderr, "client %d final get: %s\n", cid, e.what());
    }
  }
  long* c = &counters[cid * n_counters];
  c[c_upd] = upd;
  c[c_app] = app;
  c[c_put] = put;
  c[c_get] = got;
  c[c_err] = err;
}

// Reads `n` bytes from `fd`, waiting at most `secs` in all.
bool read_n(int fd, int n, int secs) {
  auto deadline = clock_type::now() + std::chrono::seconds(secs);
  char buf[64];
  while (n > 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline
                                                                      - clock_type::now());
    if (left.count() <= 0)
      return false;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0)
      continue;
    auto k = ::read(fd, buf, std::min<size_t>(sizeof(buf), static_cast<size_t>(n)));
    if (k <= 0)
      return false;
    n -= static_cast<int>(k);
  }
  return true;
}

result run_mpactor(int n_clients, long n_ops) {
  result res;
  res.ran = true;
  res.clients = n_clients;
  res.ops = n_clients * n_ops;

  mpactor::SyncManager m{mpactor::Address{"127.0.0.1", 0}, "some-key"};
  mpactor::server_limits limits;
  limits.io_pack_when_busy = pack_when_busy;
  m.set_limits(limits);
  m.start();
  shared_objects o{m.dict(),      m.Lock(),  m.list(), m.Namespace(),
                   m.Queue(),     m.Value(7)};
  o.ns.set("x", 0);

  mpactor::RawArray<double> lat(static_cast<size_t>(n_clients * n_ops));
  mpactor::RawArray<int> kinds(static_cast<size_t>(n_clients * n_ops));
  mpactor::RawArray<long> counters(static_cast<size_t>(n_clients * n_counters));
  mpactor::RawArray<double> ends(static_cast<size_t>(n_clients));
  int ready[2], go[2];
  if (::pipe(ready) != 0 || ::pipe(go) != 0)
    throw std::runtime_error("pipe failed");

  std::vector<mpactor::Process> procs;
  procs.reserve(n_clients);
  for (int c = 0; c < n_clients; ++c) {
    procs.emplace_back([&, c] {
      ::close(ready[0]);
      ::close(go[1]);
      client_body(c, n_ops, o, ready[1], go[0], lat, kinds, counters, ends);
    });
    procs.back().start();
  }
  ::close(ready[1]);
  ::close(go[0]);
  long errors = 0;
  if (!read_n(ready[0], n_clients, 300)) {
    std::fprintf(stderr, "mpactor: not every client got ready\n");
    ++errors;
  }
  double t0 = now_s();
  std::string go_bytes(static_cast<size_t>(n_clients), 'g');
  if (::write(go[1], go_bytes.data(), go_bytes.size())
      != static_cast<ssize_t>(go_bytes.size()))
    ++errors;
  ::close(go[1]);
  ::close(ready[0]);
  for (auto& p : procs) {
    if (!p.join(std::chrono::seconds(600))) {
      p.terminate();
      p.join();
    }
    if (p.exitcode() != 0) {
      std::fprintf(stderr, "mpactor: client %s exited %d\n", p.name().c_str(),
                   p.exitcode().value_or(-999));
      ++errors;
    }
  }
  double t_end = *std::max_element(ends.begin(), ends.end());
  double wall = t_end > t0 ? t_end - t0 : now_s() - t0;

  auto total = [&](int k) {
    long s = 0;
    for (int c = 0; c < n_clients; ++c)
      s += counters[static_cast<size_t>(c * n_counters + k)];
    return s;
  };
  errors += total(c_err);
  long counted = 0;
  for (int k = 0; k < n_keys; ++k)
    counted += o.d.get<long>("k" + std::to_string(k), 0);
  long list_len = static_cast<long>(o.lst.size());
  long left = static_cast<long>(o.q.qsize());
  res.lost = total(c_upd) - counted;
  res.errors = errors;
  res.verified = res.lost == 0 && list_len == total(c_app) && total(c_put) == total(c_get)
                 && left == 0 && errors == 0;
  if (!res.verified)
    std::fprintf(stderr,
                 "mpactor verify: counters %ld/%ld, list %ld/%ld, queue put %ld got %ld "
                 "left %ld, errors %ld\n",
                 counted, total(c_upd), list_len, total(c_app), total(c_put), total(c_get),
                 left, errors);

  std::vector<double> all = lat.to_vector();
  std::array<std::vector<double>, n_kinds> by_kind;
  for (size_t i = 0; i < all.size(); ++i)
    by_kind[static_cast<size_t>(kinds[i])].push_back(all[i]);
  std::sort(all.begin(), all.end());
  res.ops_per_s = res.ops / wall;
  res.p50 = percentile(all, 0.50);
  res.p99 = percentile(all, 0.99);
  for (int k = 0; k < n_kinds; ++k) {
    std::sort(by_kind[k].begin(), by_kind[k].end());
    res.kind_p50[k] = percentile(by_kind[k], 0.50);
  }
  m.shutdown();
  return res;
}

result run_python(const std::string& script, int n_clients, long n_ops) {
  result res;
  std::string cmd = "python3 '" + script + "' --clients " + std::to_string(n_clients)
                    + " --ops " + std::to_string(n_ops);
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr)
    return res;
  std::string out;
  char buf[4096];
  size_t k;
  while ((k = std::fread(buf, 1, sizeof(buf), p)) > 0)
    out.append(buf, k);
  int status = pclose(p);
  auto at = out.find("LOAD_RESULT ");
  int verified = 0;
  if (at == std::string::npos
      || std::sscanf(out.c_str() + at + 12, "%ld %ld %ld %ld %lf %lf %lf %d", &res.clients,
                     &res.ops, &res.errors, &res.lost, &res.ops_per_s, &res.p50, &res.p99,
                     &verified)
           != 8) {
    std::fprintf(stderr, "python: no LOAD_RESULT line (exit status %d)\n", status);
    return res;
  }
  res.ran = true;
  res.verified = verified == 1 && status == 0;
  at = out.find("LOAD_KINDS ");
  if (at != std::string::npos) {
    const char* s = out.c_str() + at + 11;
    for (int i = 0; i < n_kinds; ++i) {
      char* e = nullptr;
      res.kind_p50[i] = std::strtod(s, &e);
      s = e;
    }
  }
  return res;
}

std::string ratio(double x, double y) {
  char buf[32];
  if (y <= 0)
    return "-";
  std::snprintf(buf, sizeof(buf), "%.2fx", x / y);
  return buf;
}

void row(const char* name, const result& r) {
  std::printf("| %-22s | %7ld | %7ld | %6ld | %12ld | %13.0f | %9.1f | %9.1f | %-8s |\n", name,
              r.clients, r.ops, r.errors, r.lost, r.ops_per_s, r.p50, r.p99,
              r.verified ? "ok" : "FAILED");
}

} // namespace

int main(int argc, char** argv) {
  long n_ops = 5000;
  int n_clients = 32;
  std::string script = std::string{MPACTOR_BENCH_DIR} + "/load_baseline.py";
  for (int i = 1; i + 1 < argc; ++i) {
    std::string a = argv[i];
    if (a == "--ops")
      n_ops = std::atol(argv[++i]);
    else if (a == "--clients")
      n_clients = std::atoi(argv[++i]);
    else if (a == "--python")
      script = argv[++i];
    else if (a == "--io-pack-when-busy") // A/B of server_limits::io_pack_when_busy
      pack_when_busy = std::atoi(argv[++i]) != 0;
  }
  if (n_ops <= 0 || n_clients <= 0) {
    std::fprintf(stderr, "usage: bench_load [--ops N] [--clients N] [--python PATH] [--io-pack-when-busy 0|1]\n");
    return 2;
  }
  bool have_python = std::ifstream(script).good();

  result mp = run_mpactor(n_clients, n_ops);
  result py;
  if (have_python)
    py = run_python(script, n_clients, n_ops);

  std::printf("| %-22s | %7s | %7s | %6s | %12s | %13s | %9s | %9s | %-8s |\n",
              "manager (one run)", "clients", "ops", "errors", "lost updates",
              "throughput/s", "p50 us", "p99 us", "verified");
  std::printf("|%s|%s|%s|%s|%s|%s|%s|%s|%s|\n", std::string(24, '-').c_str(),
              std::string(9, '-').c_str(), std::string(9, '-').c_str(),
              std::string(8, '-').c_str(), std::string(14, '-').c_str(),
              std::string(15, '-').c_str(), std::string(11, '-').c_str(),
              std::string(11, '-').c_str(), std::string(10, '-').c_str());
  row("mpactor SyncManager", mp);
  if (py.ran) {
    row("Python BaseManager", py);
    std::printf("| %-22s | %7s | %7s | %6s | %12s | %13s | %9s | %9s | %-8s |\n",
                "ratio mpactor/Python", "", "", "", "",
                ratio(mp.ops_per_s, py.ops_per_s).c_str(), ratio(mp.p50, py.p50).c_str(),
                ratio(mp.p99, py.p99).c_str(), "");
  } else {
    std::printf("| %-22s | %s |\n", "Python BaseManager",
                have_python ? "FAILED to run (see stderr)" : "not run (no python script)");
  }
  std::printf("\nthroughput ratio > 1 and latency ratios < 1 favour mpactor. p50 us by "
              "operation (mpactor%s):\n ", py.ran ? "/Python" : "");
  for (int k = 0; k < n_kinds; ++k) {
    std::printf(" %s %.0f", kind_names[k], mp.kind_p50[k]);
    if (py.ran)
      std::printf("/%.0f", py.kind_p50[k]);
    std::printf("%s", k + 1 < n_kinds ? "," : "\n");
  }
  bool ok = mp.verified && (!have_python || (py.ran && py.verified));
  if (!ok)
    std::printf("ERROR: errors, lost updates or a failed verification (details on stderr)\n");
  return ok ? 0 : 1;
}

// The server's limits, as an attacker and a careless user meet them: a slow
// consumer that costs only its own buffer, clients that never read (hard and
// soft output limits), max_clients, max_pending_calls, the file-descriptor
// limit, and the authkey kept out of core dumps and of the environment.
//
// Timing bounds are generous on purpose: the machine these run on has two
// cores shared with other builds (load 8-10), so a bound says "quickly, not
// a timeout" rather than "as fast as an idle machine".

#include "server_probe.hpp"

#include <algorithm>
#include <csignal>
#include <set>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <sys/wait.h>

using namespace mpactor;
using namespace probe;
using namespace std::chrono_literals;

namespace {

using ms = std::chrono::milliseconds;

ms since(clock_type::time_point t0) {
  return std::chrono::duration_cast<ms>(clock_type::now() - t0);
}

// Median of `xs` (sorted in place).
double median(std::vector<double>& xs) {
  std::sort(xs.begin(), xs.end());
  return xs[xs.size() / 2];
}

std::string show(const std::vector<double>& xs) {
  std::string out;
  for (auto x : xs)
    out += std::to_string(static_cast<long>(x * 1000)) + "us ";
  return out;
}

template <class F>
std::vector<double> timings_ms(int n, F f) {
  std::vector<double> out;
  for (int i = 0; i < n; ++i) {
    auto t0 = clock_type::now();
    f(i);
    out.push_back(std::chrono::duration<double, std::milli>(clock_type::now() - t0).count());
  }
  return out;
}

char proc_state(pid_t pid) {
  std::ifstream in{"/proc/" + std::to_string(pid) + "/stat"};
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto close = all.rfind(')');
  return close == std::string::npos || close + 2 >= all.size() ? '?' : all[close + 2];
}

// Calls the server has read so far (each stats() call adds one).
long calls(const BaseManager& m) {
  return m.stats()["calls"].get<long>();
}

// A child that signals `ready`, then blocks in q.get(); returns once the
// server has read its get (its call counter moved past the parent's own
// stats calls).
Process blocked_consumer(const SyncManager& m, const QueueProxy& q, std::size_t expect_size) {
  auto ready = m.Event();
  Process child([ready, q, expect_size] {
    ready.set();
    auto item = q.get();
    if (!item.is_string() || item.get_ref<const std::string&>().size() != expect_size)
      throw SystemExit{1};
  });
  child.start();
  REQUIRE(ready.wait(5s));
  auto c0 = calls(m);
  bool arrived = false;
  auto deadline = clock_type::now() + 5s;
  for (long k = 1; !arrived && clock_type::now() < deadline; ++k)
    arrived = calls(m) > c0 + k;
  REQUIRE(arrived);
  return child;
}

void stop(pid_t pid) {
  REQUIRE(::kill(pid, SIGSTOP) == 0);
  REQUIRE(eventually([&] { return proc_state(pid) == 'T'; }, 5000ms));
}

// An authenticated raw socket with a small receive buffer, so that what
// the server cannot send stays in the server's output buffer, not in the
// kernel.
std::unique_ptr<frame_socket> non_reader(const Address& addr, const std::string& key) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int small = 64 * 1024;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(addr.port);
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) == 0);
  auto sock = std::make_unique<frame_socket>(fd);
  client_handshake(*sock, key, random_bytes(session_key_size), 5000ms);
  return sock;
}

} // namespace

TEST_CASE("A stopped consumer of a 16 MiB item slows neither the producer nor other clients") {
  // One I/O thread: a server that wrote to the stopped consumer in place
  // would then stall every client, not just half of them.
  SyncManager m;
  server_limits lim;
  lim.io_threads = 1;
  m.set_limits(lim);
  m.start();
  auto q = m.Queue();
  auto d = m.dict();
  constexpr std::size_t big = std::size_t{16} << 20;
  auto consumer = blocked_consumer(m, q, big);
  stop(consumer.pid());

  auto t0 = clock_type::now();
  q.put(std::string(big, 'x'));
  auto put_ms = since(t0).count();
  // The server hands the item to the stopped consumer's connection.
  REQUIRE(eventually([&] { return q.qsize() == 0; }, 5000ms));
  auto buffered = m.stats()["output_buffered_bytes"].get<long>();
  INFO("16 MiB put took " << put_ms << " ms; server output buffered " << buffered << " bytes");
  CHECK(buffered > 0); // the rest of the item waits in the consumer's buffer

  // The producer's own next calls.
  auto producer_q = timings_ms(9, [&](int) { q.qsize(); });
  auto producer_d = timings_ms(9, [&](int i) { d.set("p", i); });
  // Another client process: put/get on the same queue, set/get on the dict.
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  Process other([&] {
    ::close(fds[0]);
    std::vector<double> all;
    for (auto& t : timings_ms(9, [&](int i) {
           q.put(i);
           q.get(true, 5s);
         }))
      all.push_back(t);
    for (auto& t : timings_ms(9, [&](int i) {
           d.set("o", i);
           d.get("o");
         }))
      all.push_back(t);
    (void) !::write(fds[1], all.data(), all.size() * sizeof(double));
  });
  other.start();
  ::close(fds[1]);
  std::vector<double> other_times(18);
  REQUIRE(readable(fds[0], 20000ms));
  std::size_t got = 0;
  auto* p = reinterpret_cast<char*>(other_times.data());
  while (got < 18 * sizeof(double)) {
    auto n = ::read(fds[0], p + got, 18 * sizeof(double) - got);
    if (n <= 0)
      break;
    got += static_cast<std::size_t>(n);
  }
  ::close(fds[0]);
  REQUIRE(other.join(10s));
  REQUIRE(got == 18 * sizeof(double));
  std::vector<double> other_q(other_times.begin(), other_times.begin() + 9);
  std::vector<double> other_d(other_times.begin() + 9, other_times.end());
  WARN("producer qsize: " << show(producer_q) << "\nproducer d.set: " << show(producer_d)
                          << "\nother q.put+get: " << show(other_q)
                          << "\nother d.set+get: " << show(other_d));
  // 100 ms for a median on a loaded 2-core machine: an idle one answers in
  // well under 1 ms; a server stuck writing 16 MiB to a stopped reader
  // would not answer at all until the consumer resumes.
  CHECK(median(producer_q) < 100);
  CHECK(median(producer_d) < 100);
  CHECK(median(other_q) < 100);
  CHECK(median(other_d) < 100);

  SECTION("the consumer resumed gets the whole item") {
    ::kill(consumer.pid(), SIGCONT);
    REQUIRE(consumer.join(20s));
    CHECK(consumer.exitcode() == 0);
    CHECK(d.get<int>("p") == 8);
    CHECK(eventually([&] { return m.stats()["output_buffered_bytes"].get<long>() == 0; }, 5000ms));
  }
  SECTION("the consumer killed leaves the server serving and its buffer freed") {
    ::kill(consumer.pid(), SIGKILL);
    ::kill(consumer.pid(), SIGCONT);
    REQUIRE(consumer.join(10s));
    CHECK(eventually([&] { return m.stats()["output_buffered_bytes"].get<long>() == 0; }, 5000ms));
    d.set("after", 1);
    CHECK(d.get<int>("after") == 1);
  }
}

TEST_CASE("A client that pipelines 1 MiB gets and never reads is closed at the hard output limit") {
  server_limits lim;
  lim.output_hard_limit = std::size_t{8} << 20;
  lim.output_soft_limit = std::size_t{4} << 20;
  lim.output_soft_seconds = std::chrono::seconds(1);
  forked_server srv{lim};
  auto m = srv.client();
  auto d = m.dict();
  d.set("big", std::string(std::size_t{1} << 20, 'v'));
  d.set("small", 1);
  auto own = m.stats()["connections"].get<long>(); // this process's link
  auto sut = non_reader(srv.address(), srv.authkey());
  auto t0 = clock_type::now();
  std::string pipeline;
  for (std::uint64_t r = 1; r <= 64; ++r)
    pipeline += call_bytes(r, d.token().id, "get", {{"key", "big"}});
  sut->write_bytes(pipeline); // 64 MiB of replies asked for; none read
  // An unrelated client's calls keep working meanwhile.
  for (int i = 0; i < 20; ++i)
    CHECK(d.get<int>("small") == 1);
  REQUIRE(srv.logs("output buffer over its hard limit"));
  auto closed_after = since(t0);
  WARN("closed at the hard limit after " << closed_after.count() << " ms");
  CHECK(closed_by_peer(sut->fd(), 5000ms));
  // Well before the soft limit's 1 s could have closed it (load allowance).
  CHECK(closed_after < 5000ms);
  auto stats = m.stats();
  INFO(stats.dump());
  CHECK(stats["closed_output_limit"].get<long>() == 1);
  CHECK(eventually([&] { return m.stats()["connections"].get<long>() == own; }, 5000ms));
  CHECK(d.get<int>("small") == 1);
}

TEST_CASE("A client that leaves more than the soft limit unread for its seconds is closed") {
  server_limits lim;
  lim.output_hard_limit = std::size_t{64} << 20;
  lim.output_soft_limit = std::size_t{2} << 20;
  lim.output_soft_seconds = std::chrono::seconds(1);
  forked_server srv{lim};
  auto m = srv.client();
  auto d = m.dict();
  d.set("big", std::string(std::size_t{1} << 20, 'v'));
  auto sut = non_reader(srv.address(), srv.authkey());
  std::string pipeline;
  // 12 MiB asked for: the kernel holds a few MiB, the rest (over the soft
  // limit, under the hard one) waits in the server's buffer.
  for (std::uint64_t r = 1; r <= 12; ++r)
    pipeline += call_bytes(r, d.token().id, "get", {{"key", "big"}});
  auto t0 = clock_type::now();
  sut->write_bytes(pipeline);
  REQUIRE(srv.logs("over its soft limit", 10000ms));
  auto closed_after = since(t0);
  WARN("closed at the soft limit after " << closed_after.count() << " ms");
  CHECK(closed_by_peer(sut->fd(), 5000ms));
  CHECK(srv.log().find("hard limit") == std::string::npos);
  // Not before its second; the server checks four times a second, and a
  // loaded machine gets 3 s more.
  CHECK(closed_after >= 1000ms);
  CHECK(closed_after < 4250ms);
  CHECK(m.stats()["closed_output_limit"].get<long>() == 1);
  CHECK(d.size() == 1);
}

TEST_CASE("The client past max_clients gets a ConnectionError naming the limit, then is served once one leaves") {
  server_limits lim;
  lim.max_clients = 5;
  forked_server srv{lim};
  std::vector<std::unique_ptr<frame_socket>> clients;
  for (int i = 0; i < 5; ++i)
    clients.push_back(authenticated(srv.address(), srv.authkey()));
  SyncManager sixth{srv.address(), srv.authkey()};
  auto t0 = clock_type::now();
  CHECK_THROWS_WITH(sixth.connect(), Catch::Contains("client limit"));
  auto took = since(t0);
  // Refused at once: a second for load, far from the 5 s handshake bound.
  CHECK(took < 1000ms);
  CHECK_THROWS_AS(sixth.connect(), ConnectionError);
  INFO("refused in " << took.count() << " ms");
  // A client process takes two connections (its anchor and its thread's
  // link; max_clients counts connections): two leave.
  clients.pop_back();
  clients.pop_back();
  // The server sees the closes asynchronously: retried with a bound.
  bool served = eventually([&] {
    try {
      sixth.connect();
      return true;
    } catch (const ConnectionError&) {
      return false;
    }
  }, 5000ms);
  CHECK(served);
  auto stats = sixth.stats();
  CHECK(stats["refused_max_clients"].get<long>() >= 2);
  CHECK(stats["connections"].get<long>() == 5);
  CHECK(stats["limits"]["max_clients_effective"].get<long>() == 5);
}

TEST_CASE("A connection past max_pending_calls gets an error for the next call, and its earlier calls complete") {
  server_limits lim;
  lim.max_pending_calls = 8;
  forked_server srv{lim};
  auto m = srv.client();
  auto q = m.Queue();
  auto sut = authenticated(srv.address(), srv.authkey());
  std::string pipeline;
  for (std::uint64_t r = 1; r <= 9; ++r)
    pipeline += call_bytes(r, q.token().id, "get", {{"block", true}, {"timeout", nullptr}});
  sut->write_bytes(pipeline);
  auto refused = sut->read(clock_type::now() + 5s);
  REQUIRE(refused.has_value());
  CHECK(refused->kind == frame_kind::error);
  CHECK(refused->request == 9);
  CHECK(refused->body["type"] == static_cast<int>(error_code::remote_error));
  CHECK_THAT(refused->body["message"].get<std::string>(), Catch::Contains("too many pending calls"));
  for (int i = 1; i <= 8; ++i)
    q.put(i);
  std::set<std::uint64_t> answered;
  for (int i = 0; i < 8; ++i) {
    auto f = sut->read(clock_type::now() + 5s);
    REQUIRE(f.has_value());
    CHECK(f->kind == frame_kind::reply);
    answered.insert(f->request);
  }
  CHECK(answered == std::set<std::uint64_t>{1, 2, 3, 4, 5, 6, 7, 8});
  CHECK(m.stats()["refused_pending_calls"].get<long>() == 1);
  // Below the limit again: a call is taken.
  sut->write_bytes(call_bytes(10, q.token().id, "qsize", json::object()));
  auto f = sut->read(clock_type::now() + 5s);
  REQUIRE(f.has_value());
  CHECK(f->kind == frame_kind::reply);
}

TEST_CASE("A server at its descriptor limit with 1000 idle sockets refuses or serves a client quickly and does not spin") {
  server_limits lim;
  forked_server srv{lim, 256};
  std::vector<int> idle;
  for (int i = 0; i < 1000; ++i)
    idle.push_back(raw_connect(srv.address()));
  // The server has met its limit once its log says so (a refusal at the
  // client limit, or accept() out of descriptors); waiting on its stats
  // would need a connection too.
  CHECK(eventually([&] {
    auto log = srv.log();
    return log.find("refused") != std::string::npos || log.find("accept:") != std::string::npos;
  }, 5000ms));
  SyncManager sut{srv.address(), srv.authkey()};
  auto t0 = clock_type::now();
  std::string outcome = "served";
  try {
    sut.connect();
    sut.dict().set("k", 1);
  } catch (const ConnectionError& e) {
    outcome = e.what();
  }
  auto took = since(t0);
  WARN("real client: " << outcome << " in " << took.count() << " ms");
  // Quickly, not a timeout: 2 s for load, the handshake bound being 5 s.
  CHECK(took < 2000ms);
  if (outcome != "served")
    CHECK_THAT(outcome, Catch::Contains("limit") || Catch::Contains("descriptors"));
  // Not spinning: CPU time over 1 s of wall time stays under 30 %.
  auto ticks = sysconf(_SC_CLK_TCK);
  auto c0 = cpu_ticks(srv.pid());
  auto w0 = clock_type::now();
  std::this_thread::sleep_for(1s); // a measuring window, not a synchronization
  auto used = cpu_ticks(srv.pid()) - c0;
  double share = static_cast<double>(used) / ticks
                 / std::chrono::duration<double>(clock_type::now() - w0).count();
  WARN("server CPU share while holding 1000 idle sockets: " << share);
  CHECK(share < 0.3);
  for (int fd : idle)
    ::close(fd);
  // With the idle sockets gone a client is served again.
  CHECK(eventually([&] {
    try {
      SyncManager again{srv.address(), srv.authkey()};
      again.connect();
      return again.dict().size() == 0;
    } catch (const ConnectionError&) {
      return false;
    }
  }, 10000ms));
}

TEST_CASE("A started server keeps its authkey in a page excluded from core dumps") {
  auto m = Manager();
  std::ifstream in{"/proc/" + std::to_string(m.server_pid()) + "/smaps"};
  std::string line;
  int dont_dump = 0;
  while (std::getline(in, line))
    if (line.rfind("VmFlags:", 0) == 0 && (line + " ").find(" dd ") != std::string::npos)
      ++dont_dump;
  CHECK(dont_dump >= 1);
}

TEST_CASE("mpactor-server takes MPACTOR_AUTHKEY out of its environment before it serves") {
  const std::string key = "env-key-0123456789abcdef";
  std::string log = "/tmp/mpactor-server-env-" + std::to_string(getpid()) + ".log";
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(fd, 2);
    setenv("MPACTOR_AUTHKEY", key.c_str(), 1);
    execl(MPACTOR_SERVER_BINARY, MPACTOR_SERVER_BINARY, "--port", "0", static_cast<char*>(nullptr));
    _exit(127);
  }
  auto read_all = [](const std::string& path) {
    std::ifstream in{path};
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  };
  CHECK(eventually([&] { return read_all(log).find("serving on") != std::string::npos; }, 10000ms));
  auto environ_text = read_all("/proc/" + std::to_string(pid) + "/environ");
  CHECK(environ_text.find(key) == std::string::npos);
  CHECK(environ_text.find("MPACTOR_AUTHKEY=" + key) == std::string::npos);
  CHECK(environ_text.size() > 0); // it was read (as root, despite non-dumpable)
  // Its log never shows the key either.
  CHECK(read_all(log).find(key) == std::string::npos);
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
  ::unlink(log.c_str());
}

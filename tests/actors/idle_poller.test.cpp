// idle_poller: how an I/O thread waits for events. It polls only while the
// kernel reports little CPU pressure (read from a file, here a fake one),
// never without that information, and its loop runs every handler and
// returns when the io_context stops, polling or not. While the pressure is
// high its threads run as SCHED_BATCH (and as SCHED_OTHER again after). And
// a real server stops polling, and batches, while other processes keep
// every CPU busy.

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include <vector>

#include <dirent.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <boost/asio/post.hpp>

#include <mpactor/actors/server/idle_poller.hpp>
#include <mpactor/actors/server/server_limits.hpp>
#include <mpactor/mpactor.hpp>
#include <mpactor/shm/error.hpp>

#include "busy_processes.hpp"
#include "eventually.hpp"
#include "other_clients.hpp"

using mpactor::idle_poller;
using namespace std::chrono_literals;

namespace {

std::string pressure_text(long long some_total) {
  return "some avg10=0.00 avg60=0.00 avg300=0.00 total=" + std::to_string(some_total)
         + "\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n";
}

struct fake_pressure {
  std::string path = "/tmp/mpactor_pressure_" + std::to_string(::getpid());
  ~fake_pressure() { std::remove(path.c_str()); }
  void write(const std::string& text) const {
    std::ofstream out{path, std::ios::trunc};
    out << text;
  }
};

// Runs `poller` on a loop fed by another thread; every posted handler runs
// and run() returns once the loop is stopped.
void runs_all_and_stops(const idle_poller& poller) {
  boost::asio::io_context ioc{1};
  auto guard = boost::asio::make_work_guard(ioc);
  std::atomic<int> ran{0};
  std::thread loop{[&] { poller.run(ioc); }};
  for (int i = 0; i < 2000; ++i)
    boost::asio::post(ioc, [&] { ++ran; });
  boost::asio::post(ioc, [&] { ioc.stop(); });
  loop.join(); // a run() that did not return would hang here (ctest's timeout)
  CHECK(ran.load() == 2000);
}

// The scheduling policy of each thread named `name` of process `pid`.
std::vector<int> policies_of_threads(pid_t pid, const std::string& name) {
  std::vector<int> out;
  auto dir = "/proc/" + std::to_string(pid) + "/task";
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr)
    return out;
  while (auto* e = ::readdir(d)) {
    if (e->d_name[0] == '.')
      continue;
    std::string comm;
    std::getline(std::ifstream{dir + "/" + e->d_name + "/comm"}, comm);
    if (comm != name)
      continue;
    std::string stat;
    std::getline(std::ifstream{dir + "/" + e->d_name + "/stat"}, stat);
    // Fields after the ")" that ends the name: state is field 3, policy 41.
    std::istringstream rest{stat.substr(stat.rfind(')') + 2)};
    std::string field;
    for (int i = 3; i <= 41 && rest >> field; ++i)
      if (i == 41)
        out.push_back(std::stoi(field));
  }
  ::closedir(d);
  return out;
}

} // namespace

TEST_CASE("idle_poller reads the stalled total of the 'some' line of a pressure file") {
  CHECK(idle_poller::some_total(pressure_text(123456789)) == 123456789);
  CHECK(idle_poller::some_total("full avg10=0.00 total=5\nsome avg10=1.00 total=77\n") == 77);
  CHECK(idle_poller::some_total("") == -1);
  CHECK(idle_poller::some_total("some avg10=0.00 avg60=0.00\n") == -1);
  CHECK(idle_poller::some_total("some avg10=0.00 total=x\n") == -1);
  CHECK(idle_poller::some_total("some avg10=0.00 total=-5\n") == -1);
}

TEST_CASE("idle_poller polls while CPU pressure is low and stops when it rises") {
  fake_pressure file;
  file.write(pressure_text(1000));
  idle_poller poller{100us, file.path};
  CHECK_FALSE(poller.polling()); // one reading is no rate yet
  file.write(pressure_text(1000)); // no task waited since
  poller.tick();
  CHECK(poller.polling());
  CHECK(poller.pressure() == 0);
  // Tasks waited for a CPU all the time (more than any elapsed time: read
  // as all of it).
  file.write(pressure_text(1000 + 1'000'000'000'000LL));
  poller.tick();
  CHECK_FALSE(poller.polling());
  CHECK(poller.pressure() == 1000);
  file.write(pressure_text(1000 + 1'000'000'000'000LL));
  poller.tick();
  CHECK(poller.polling());
}

TEST_CASE("idle_poller batches while CPU pressure is high and many connections call") {
  fake_pressure file;
  long long waited = 1000;
  auto all_the_time = [&] { // tasks waited for a CPU all the time since
    waited += 1'000'000'000'000LL;
    file.write(pressure_text(waited));
  };
  file.write(pressure_text(waited));
  for (auto window : {100us, 0us}) {
    INFO("window " << window.count() << " us");
    idle_poller poller{window, file.path};
    auto many = poller.batch_callers() + 1;
    CHECK_FALSE(poller.batching()); // one reading is no rate yet
    all_the_time();
    poller.tick(many);
    CHECK(poller.batching());
    CHECK(poller.clients_contend());
    CHECK(poller.contended());
    CHECK_FALSE(poller.polling());
    // Fewer callers than cores: the pressure is someone else's, and a
    // woken thread should preempt for its few clients' sake.
    all_the_time();
    poller.tick(poller.batch_callers());
    CHECK_FALSE(poller.batching());
    CHECK_FALSE(poller.clients_contend());
    CHECK(poller.contended());
    all_the_time();
    poller.tick(many);
    CHECK(poller.batching());
    poller.tick(many); // none waited since
    CHECK_FALSE(poller.batching());
    CHECK_FALSE(poller.contended());
    CHECK(poller.polling() == (window.count() > 0));
  }
  // Batching off: the clients' contention is still seen (loop_packer goes
  // by it), with neither polling nor batching.
  idle_poller off{0us, file.path, false};
  all_the_time();
  off.tick(1000);
  CHECK_FALSE(off.batching());
  CHECK(off.clients_contend());
  CHECK(off.contended());
}

TEST_CASE("idle_poller stops batching while its threads are starved for a CPU") {
  fake_pressure file;
  long long waited = 1000;
  file.write(pressure_text(waited));
  idle_poller poller{0us, file.path};
  auto many = poller.batch_callers() + 1;
  auto contended_tick = [&](int io_wait) {
    waited += 1'000'000'000'000LL;
    file.write(pressure_text(waited));
    poller.tick(many, io_wait);
  };
  contended_tick(idle_poller::starved_above);
  CHECK(poller.batching()); // at the bound: not yet starved
  CHECK(poller.io_wait() == idle_poller::starved_above);
  contended_tick(idle_poller::starved_above + 1);
  CHECK_FALSE(poller.batching());
  CHECK(poller.starved());
  CHECK(poller.clients_contend()); // the packer still sees the crowd
  contended_tick(idle_poller::fed_below); // between the bounds: it stays
  CHECK(poller.starved());
  CHECK_FALSE(poller.batching());
  contended_tick(idle_poller::fed_below - 1);
  CHECK_FALSE(poller.starved());
  CHECK(poller.batching());
  contended_tick(5000);
  REQUIRE(poller.starved());
  contended_tick(-1); // too little run time to judge: the clients went quiet
  CHECK_FALSE(poller.starved());
  CHECK(poller.batching());
}

TEST_CASE("idle_poller's wait_per_mille judges only threads that ran, and sched_ns reads a thread's times") {
  using ns = std::int64_t;
  ns tick = 250'000'000;
  CHECK(idle_poller::wait_per_mille(tick / 10, tick / 10, tick) == 1000);
  CHECK(idle_poller::wait_per_mille(tick / 10, tick / 20, tick) == 500);
  CHECK(idle_poller::wait_per_mille(tick / 10, 0, tick) == 0);
  // Less run time than wait_needs_run per mille of the tick: unknown.
  ns little = tick * idle_poller::wait_needs_run / 1000;
  CHECK(idle_poller::wait_per_mille(little, 0, tick) == 0);
  CHECK(idle_poller::wait_per_mille(little - 1, 0, tick) == -1);
  CHECK(idle_poller::wait_per_mille(tick, tick, 0) == -1);
  CHECK(idle_poller::wait_per_mille(-1, 0, tick) == -1);

  auto tid = static_cast<pid_t>(::syscall(SYS_gettid));
  auto [run0, wait0] = idle_poller::sched_ns(tid);
  if (run0 < 0) {
    WARN("no schedstat here: a server's threads are never judged starved");
    return;
  }
  CHECK(wait0 >= 0);
  auto until = std::chrono::steady_clock::now() + 20ms;
  volatile unsigned long spin = 0;
  while (std::chrono::steady_clock::now() < until)
    spin = spin + 1;
  auto [run1, wait1] = idle_poller::sched_ns(tid);
  CHECK(run1 - run0 >= 5'000'000); // most of the 20 ms spent spinning
  CHECK(wait1 >= wait0);
  CHECK(idle_poller::sched_ns(0).first == -1); // no such thread
}

TEST_CASE("idle_poller's thread runs as SCHED_BATCH while it batches, and as before after") {
  fake_pressure file;
  file.write(pressure_text(1000));
  idle_poller poller{100us, file.path};
  file.write(pressure_text(1000 + 1'000'000'000'000LL));
  poller.tick(poller.batch_callers() + 1);
  REQUIRE(poller.batching());
  boost::asio::io_context ioc{1};
  auto guard = boost::asio::make_work_guard(ioc);
  std::atomic<int> inside{-1}, after{-1};
  std::thread loop{[&] {
    poller.run(ioc);
    after = sched_getscheduler(0);
  }};
  boost::asio::post(ioc, [&] {
    inside = sched_getscheduler(0);
    ioc.stop();
  });
  loop.join();
  CHECK(inside.load() == SCHED_BATCH);
  CHECK(after.load() == SCHED_OTHER);
}

TEST_CASE("idle_poller never polls without pressure information or with a window of 0") {
  idle_poller missing{100us, "/nonexistent/pressure/cpu"};
  missing.tick();
  missing.tick();
  CHECK_FALSE(missing.polling());
  CHECK_FALSE(missing.batching());
  CHECK_FALSE(missing.contended());
  CHECK(missing.pressure() == -1);

  fake_pressure file;
  file.write(pressure_text(0));
  idle_poller off{0us, file.path};
  off.tick();
  CHECK_FALSE(off.polling());
}

TEST_CASE("idle_poller's loop runs every handler and returns when stopped, polling or not") {
  fake_pressure file;
  file.write(pressure_text(0));
  idle_poller polling{10ms, file.path};
  polling.tick();
  REQUIRE(polling.polling());
  runs_all_and_stops(polling);

  idle_poller sleeping{0us, file.path};
  runs_all_and_stops(sleeping);
}

TEST_CASE("server_limits refuses an io_poll window above 10 ms or below 0") {
  mpactor::server_limits lim;
  CHECK(lim.io_poll == 100us);
  CHECK(lim.to_string().find("io_poll_us=100") != std::string::npos);
  lim.io_poll = 20ms;
  CHECK_THROWS_AS(lim.validate(), mpactor::ValueError);
  lim.io_poll = -1us;
  CHECK_THROWS_AS(lim.validate(), mpactor::ValueError);
  lim.io_poll = 0us;
  CHECK_NOTHROW(lim.validate());
}

TEST_CASE("A server's I/O threads stop polling and batch while other processes keep every CPU busy") {
  if (!std::ifstream{"/proc/pressure/cpu"}.good()) {
    WARN("no /proc/pressure/cpu here: a server never polls, nothing to check");
    return;
  }
  auto m = mpactor::Manager();
  auto d = m.dict();
  d.set("k", 1);
  // More connections calling than cores: batching is for the server's own
  // crowd of clients.
  auto cores = std::max(1u, std::thread::hardware_concurrency());
  mpactor_test::other_clients others{m, cores + 2};
  auto& their_dicts = others.dicts;
  auto all_call = [&] {
    for (auto& t : their_dicts)
      t.set("k", 1);
    d.set("k", d.get<int>("k") + 1); // the server still answers
  };
  // Two readings of the pressure make a rate: until then the gate is shut.
  REQUIRE(mpactor_test::eventually(
    [&] { return m.stats().value("cpu_pressure_per_mille", -1) >= 0; }, 10s));
  INFO("polling before the busy processes: " << m.stats().value("io_polling", false));
  // One busy process more than there are cores (so one always waits).
  mpactor_test::busy_processes hogs;
  REQUIRE(hogs.start(cores + 1));
  int pressure = -1;
  bool closed = mpactor_test::eventually(
    [&] {
      all_call();
      auto st = m.stats();
      pressure = st.value("cpu_pressure_per_mille", -1);
      return pressure > idle_poller::close_above && !st.value("io_polling", true)
             && st.value("io_batch", false);
    },
    10s);
  INFO("CPU pressure at the end, per mille: " << pressure);
  CHECK(closed);
  CHECK(d.get<int>("k") > 1);
  // Every I/O thread switches, also one whose connections are idle (the
  // ticker wakes each when the state changes).
  std::vector<int> policies;
  bool batched = mpactor_test::eventually(
    [&] {
      all_call();
      policies = policies_of_threads(m.server_pid(), "mpactor.io");
      return !policies.empty()
             && std::all_of(policies.begin(), policies.end(),
                            [](int p) { return p == SCHED_BATCH; });
    },
    10s);
  std::string listed;
  for (auto p : policies)
    listed += " " + std::to_string(p);
  INFO("I/O thread policies (3: SCHED_BATCH):" << listed);
  CHECK(batched);
}

TEST_CASE("A server measures how long its I/O threads wait for a CPU, and batches while they are fed") {
  auto tid = static_cast<pid_t>(::syscall(SYS_gettid));
  if (!std::ifstream{"/proc/pressure/cpu"}.good() || idle_poller::sched_ns(tid).first < 0) {
    WARN("no CPU pressure or schedstat here: nothing to check");
    return;
  }
  auto m = mpactor::Manager();
  CHECK(m.stats().value("io_wait_per_mille", 0) == -1); // idle threads: nothing to judge
  auto cores = std::max(1u, std::thread::hardware_concurrency());
  // More connections calling than cores, all the time, beside busy
  // processes: the server's threads run enough for their waits to count.
  mpactor_test::other_clients others{m, cores + 2};
  auto& dicts = others.dicts;
  mpactor_test::busy_processes hogs;
  REQUIRE(hogs.start(cores + 1));
  std::atomic<bool> stop{false};
  std::atomic<int> wrong{0};
  std::vector<std::thread> callers;
  for (std::size_t i = 0; i < dicts.size(); ++i)
    callers.emplace_back([&, i] {
      std::string value(1000, static_cast<char>('a' + i));
      while (!stop) {
        dicts[i].set("k", value);
        if (dicts[i].get<std::string>("k") != value)
          ++wrong;
      }
    });
  int wait = -1, pressure = -1;
  bool batch = false;
  bool judged = mpactor_test::eventually(
    [&] {
      auto st = m.stats();
      wait = st.value("io_wait_per_mille", -1);
      pressure = st.value("cpu_pressure_per_mille", -1);
      batch = st.value("io_batch", false);
      // Here they get a CPU soon after they are woken (they wait less than
      // they run): they batch.
      return wait >= 0 && wait < idle_poller::fed_below && batch
             && pressure > idle_poller::close_above;
    },
    20s);
  stop = true;
  for (auto& t : callers)
    t.join();
  INFO("I/O threads' wait per mille of their run time: " << wait << ", CPU pressure: " << pressure
                                                       << ", batching: " << batch);
  CHECK(judged);
  CHECK(wrong.load() == 0);
}

#include <mpactor/actors/server/idle_poller.hpp>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include <pthread.h>
#include <sched.h>

namespace mpactor {

idle_poller::idle_poller(std::chrono::microseconds window, std::string pressure_file,
                         bool batch_when_busy)
  : window_(window), file_(std::move(pressure_file)), batch_(batch_when_busy),
    cores_(std::max(1u, std::thread::hardware_concurrency())) {
  tick(); // the first reading: the gate stays closed until a second one
}

namespace {

// The calling thread's scheduling policy: SCHED_BATCH or SCHED_OTHER (a
// change any thread may make to itself; a refusal leaves it as it was).
void run_as_batch(bool batch) {
  sched_param none{};
  pthread_setschedparam(pthread_self(), batch ? SCHED_BATCH : SCHED_OTHER, &none);
}

} // namespace

void idle_poller::run(boost::asio::io_context& ioc) const {
  using clock = std::chrono::steady_clock;
  if (window_.count() <= 0 && !batch_) {
    ioc.run();
    return;
  }
  bool batch = false; // this thread's policy now
  auto last_event = clock::now();
  while (!ioc.stopped()) {
    if (batching() != batch) {
      batch = !batch;
      run_as_batch(batch);
    }
    if (!polling()) {
      // As ioc.run(): handle the next event, sleeping until there is one.
      if (ioc.run_one() == 0)
        break;
      last_event = clock::now();
      continue;
    }
    if (ioc.poll() > 0) {
      last_event = clock::now();
      continue;
    }
    if (clock::now() - last_event < window_) {
      auto before = clock::now();
      sched_yield();
      if (clock::now() - before < yield_taken)
        continue; // nobody else wanted this core: poll again
    }
    // Sleep until the next event.
    if (ioc.run_one() == 0)
      break;
    last_event = clock::now();
  }
  if (batch)
    run_as_batch(false);
}

std::int64_t idle_poller::some_total(const std::string& text) {
  std::istringstream in{text};
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("some ", 0) != 0)
      continue;
    auto at = line.find("total=");
    if (at == std::string::npos)
      return -1;
    char* end = nullptr;
    auto v = std::strtoll(line.c_str() + at + 6, &end, 10);
    return end != line.c_str() + at + 6 && v >= 0 ? v : -1;
  }
  return -1;
}

int idle_poller::wait_per_mille(std::int64_t run_ns, std::int64_t wait_ns, std::int64_t wall_ns) {
  if (wall_ns <= 0 || run_ns < 0 || wait_ns < 0 || run_ns * 1000 < wall_ns * wait_needs_run)
    return -1;
  return static_cast<int>(std::min<std::int64_t>(wait_ns * 1000 / run_ns, 1'000'000));
}

std::pair<std::int64_t, std::int64_t> idle_poller::sched_ns(pid_t tid) {
  std::ifstream in{"/proc/self/task/" + std::to_string(tid) + "/schedstat"};
  long long run = -1, wait = -1;
  if (!(in >> run >> wait) || run < 0 || wait < 0)
    return {-1, -1};
  return {run, wait};
}

void idle_poller::tick(std::size_t callers, int io_wait) {
  io_wait_ = io_wait;
  starved_ = starved_ ? io_wait >= fed_below : io_wait > starved_above;
  // Read also when neither polling nor batching is on: loop_packer goes by
  // contended() and clients_contend().
  std::ifstream in{file_};
  std::stringstream text;
  text << in.rdbuf();
  auto total = some_total(text.str());
  auto now = std::chrono::steady_clock::now();
  if (total < 0) { // no pressure information: never poll, never batch
    open_ = false;
    busy_ = false;
    contended_ = false;
    pressure_ = -1;
    last_total_ = -1;
    return;
  }
  if (last_total_ >= 0 && total >= last_total_) {
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(now - last_at_).count();
    if (us > 0) {
      // At most all of the time (the file and the clock are read apart).
      auto per_mille = static_cast<int>(std::min<std::int64_t>((total - last_total_) * 1000 / us, 1000));
      pressure_ = per_mille;
      if (per_mille > close_above) {
        open_ = false;
        busy_ = callers > cores_;
        contended_ = true;
      } else if (per_mille < open_below) {
        open_ = true;
        busy_ = false;
        contended_ = false;
      } else if (callers <= cores_) {
        busy_ = false;
      }
    }
  }
  last_total_ = total;
  last_at_ = now;
}

} // namespace mpactor

// server_in_20_lines: the README's "A server process in 20 lines", as it is
// there (tests/examples checks that it prints "49" and "55", and that the README's
// text is this file's code below this comment).
//
// Two worker processes take numbers from a managed Queue until a null and
// store their squares in a managed dict; the parent prints the square of 7.
//
// Run: ./server_in_20_lines

#include <mpactor/mpactor.hpp>
using namespace mpactor;

int main() {
  auto manager = Manager();                 // a server process on an abstract Unix socket, random authkey
  auto results = manager.dict();
  auto jobs = manager.Queue();
  std::vector<Process> workers;
  for (int i = 0; i < 2; ++i)
    workers.emplace_back([&] {              // children use the parent's proxies
      for (json job; !(job = jobs.get()).is_null();)
        results[job] = job.get<int>() * job.get<int>();
    });
  for (auto& w : workers) w.start();
  for (int n = 1; n <= 10; ++n) jobs.put(n);
  for (int i = 0; i < 2; ++i) jobs.put(nullptr);   // one stop per worker
  for (auto& w : workers) w.join();
  std::printf("%d\n", results[7].get<int>());  // 49
  int sum = 0;
  for (auto& k : results) sum += k.get<int>();   // the keys, in one round trip
  std::printf("%d\n", sum);                     // 55
}

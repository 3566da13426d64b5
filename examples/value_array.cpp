// value_array: the tutorial's showdate/updater program.
//
// A parent, serial children and parallel children read and update a shared
// Value<int> and Array<double>, while a plain global `count` is copied into
// each child and never shared: only the parent's count reaches 6, while the
// shared value reaches 12 and every array element 8.0. Lines are printed with
// the tutorial's format, '%-12s:pid:%4s, global:%s,value:%s,array:%s' (its
// "porcess" labels included).
//
// Run: ./value_array

#include <charconv>
#include <mutex>
#include <cstdio>
#include <string>
#include <unistd.h>
#include <vector>

#include <mpactor/mpactor.hpp>

using mpactor::Array;
using mpactor::Process;
using mpactor::Value;

namespace {

constexpr int procs = 3;
int count = 0; // not shared: each child has its own copy

// Python's repr of a float: shortest round-trip digits, with ".0" if integral.
std::string py_float(double x) {
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), x);
  std::string s{buf, res.ptr};
  if (s.find_first_of(".eEn") == std::string::npos)
    s += ".0";
  return s;
}

std::string py_list(const std::vector<double>& xs) {
  std::string out = "[";
  for (std::size_t i = 0; i < xs.size(); ++i)
    out += (i ? ", " : "") + py_float(xs[i]);
  return out + "]";
}

void showdate(std::string label, Value<int> val, Array<double> arr) {
  int value = val.value(); // read in Python's order: the value, then the array
  auto array = py_list(arr.to_vector());
  std::printf("%-12s:pid:%4d, global:%d,value:%d,array:%s\n", label.c_str(),
              static_cast<int>(getpid()), count, value, array.c_str());
}

void updater(Value<int> val, Array<double> arr) {
  count += 1; // the global counter, not shared
  val += 1;   // the shared Value and Array are
  for (std::size_t i = 0; i < 3; ++i)
    arr[i] += 1;
}

} // namespace

int main() {
  Value<int> scalar{0};
  Array<double> vector(procs);

  showdate("parent start", scalar, vector);

  Process p(showdate, "child", scalar, vector);
  p.start();
  p.join();

  std::printf("\nloop1(updates in parent, serial children)....\n");
  for (int i = 0; i < procs; ++i) {
    count += 1;
    scalar += 1;
    vector[i] += 1;
    Process q(showdate, "porcess " + std::to_string(i) + " ", scalar, vector);
    q.start();
    q.join();
  }

  std::printf("\nloop2(updates in parent, serial children)....\n");
  std::vector<Process> ps;
  // The children run in parallel and read the latest values. Python gets that
  // order from its slow process start; here the parent holds the value's lock
  // until its last update, so no child can read before it.
  std::unique_lock<mpactor::Lock> hold{scalar.get_lock()};
  for (int i = 0; i < procs; ++i) {
    count += 1;
    scalar += 1;
    vector[i] += 1;
    ps.emplace_back(showdate, "porcess " + std::to_string(i) + " ", scalar, vector);
    ps.back().start();
  }
  hold.unlock();
  for (auto& q : ps)
    q.join();

  std::printf("\nloop3(updates in parent, serial children)....\n");
  for (int i = 0; i < procs; ++i) {
    Process q(updater, scalar, vector);
    q.start();
    q.join();
  }

  showdate("parent temp", scalar, vector);

  ps.clear();
  std::printf("\nloop4(updates in parent, serial children)....\n");
  for (int i = 0; i < procs; ++i) {
    ps.emplace_back(updater, scalar, vector);
    ps.back().start();
  }
  for (auto& q : ps)
    q.join();

  showdate("parent end", scalar, vector);
}

// Uses both sharing models through the installed headers and library.
#include <cstdio>

#include <mpactor/mpactor.hpp>

int main() {
  mpactor::Value<int> v{0};
  mpactor::Process p([v]() mutable { v += 41; });
  p.start();
  p.join();
  auto m = mpactor::Manager();
  auto d = m.dict();
  d.set("answer", v.value() + 1);
  std::printf("answer=%d\n", d.get<int>("answer"));
  return d.get<int>("answer") == 42 ? 0 : 1;
}

// Value and RawValue: locked reads and writes, atomic operators, shared locks,
// sharing with children, and the memory of many small values.

#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <mutex>
#include <string>
#include <vector>

#include <unistd.h>

#include <mpactor/mpactor.hpp>

using mpactor::Lock;
using mpactor::Process;
using mpactor::RLock;
using mpactor::Value;

namespace {

long rss_kib() {
  std::ifstream in{"/proc/self/status"};
  std::string key;
  long value = 0;
  while (in >> key) {
    if (key == "VmRSS:") {
      in >> value;
      return value;
    }
    std::getline(in, key);
  }
  return -1;
}

struct point {
  double x;
  double y;
};

} // namespace

TEST_CASE("Value starts at its initial value, or zero") {
  Value<int> zero;
  CHECK(zero.value() == 0);
  Value<double> d{2.5};
  CHECK(d.value() == 2.5);
  Value<point> p{{1.0, 2.0}};
  CHECK(p.value().y == 2.0);
}

TEST_CASE("Value assignment and setter write the value") {
  Value<int> sut{1};
  sut = 5;
  CHECK(sut.value() == 5);
  sut.value(7);
  CHECK(sut.value() == 7);
  CHECK(sut.get_obj() == 7);
}

TEST_CASE("Value compound operators return the new value") {
  Value<int> sut{10};
  CHECK((sut += 5) == 15);
  CHECK((sut -= 3) == 12);
  CHECK((sut *= 2) == 24);
  CHECK((sut /= 4) == 6);
  CHECK((sut %= 4) == 2);
  CHECK(++sut == 3);
  CHECK(--sut == 2);
  CHECK(sut++ == 2);
  CHECK(sut-- == 3);
  CHECK(sut.value() == 2);
  CHECK(sut.update([](int& v) { v = v * 10 + 1; }) == 21);
}

TEST_CASE("Value += from ten processes loses no update") {
  Value<int> sut{0};
  std::vector<Process> ps;
  for (int i = 0; i < 10; ++i)
    ps.emplace_back([](Value<int> v) {
      for (int k = 0; k < 2000; ++k)
        v += 1;
    }, sut);
  for (auto& p : ps)
    p.start();
  for (auto& p : ps)
    p.join();
  CHECK(sut.value() == 20000);
}

TEST_CASE("Value get_lock guards a read-modify-write across processes") {
  Value<long> sut{0};
  auto work = [sut]() mutable {
    for (int k = 0; k < 5000; ++k) {
      std::lock_guard<Lock> g{sut.get_lock()};
      sut.get_obj() = sut.get_obj() + 1;
    }
  };
  Process a(work), b(work);
  a.start();
  b.start();
  a.join();
  b.join();
  CHECK(sut.value() == 10000);
}

TEST_CASE("Value default lock is an RLock and operators work while it is held") {
  Value<int> sut{0};
  CHECK(sut.get_lock().is_recursive());
  REQUIRE(sut.acquire());
  sut += 1; // would deadlock if the operator locked again without checking
  sut = sut.value() + 1;
  sut.release();
  CHECK(sut.value() == 2);
}

TEST_CASE("Value with a given Lock shares it and works under its hold") {
  Lock shared;
  Value<int> a{0, shared};
  Value<double> b{0.0, shared};
  CHECK(a.get_lock() == b.get_lock());
  CHECK_FALSE(a.get_lock().is_recursive());
  {
    std::lock_guard<Lock> g{shared};
    a += 2;
    b += 0.5;
    CHECK(b.get_lock().is_owned());
  }
  CHECK(a.value() == 2);
  CHECK(b.value() == 0.5);
  Value<int> c{0, RLock{}};
  CHECK(c.get_lock().is_recursive());
}

TEST_CASE("Value acquire with timeout fails while a child holds the lock") {
  Value<int> sut{0};
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  int back[2];
  REQUIRE(pipe(back) == 0);
  Process p([&] {
    sut.acquire();
    char c = 1;
    (void) !write(back[1], &c, 1);
    (void) !read(fds[0], &c, 1);
    sut.release();
  });
  p.start();
  char c;
  REQUIRE(read(back[0], &c, 1) == 1);
  CHECK_FALSE(sut.acquire(true, std::chrono::milliseconds(20)));
  CHECK_FALSE(sut.acquire(false));
  (void) !write(fds[1], &c, 1);
  p.join();
  CHECK(sut.acquire(true, std::chrono::seconds(5)));
  sut.release();
  for (int fd : {fds[0], fds[1], back[0], back[1]})
    close(fd);
}

TEST_CASE("Value copies and children share one value but plain variables are copied") {
  static int plain = 0;
  Value<int> sut{0};
  Value<int> copy = sut;
  Process p([&] {
    plain = 99;
    copy = 42;
  });
  p.start();
  p.join();
  CHECK(sut.value() == 42);
  CHECK(plain == 0);
}

TEST_CASE("RawValue is shared with children and has no lock") {
  mpactor::RawValue<double> sut{1.5};
  CHECK(sut.value() == 1.5);
  Process p([&] { sut = 3.0; });
  p.start();
  p.join();
  CHECK(sut.value() == 3.0);
  sut.value(4.0);
  CHECK(sut.get_obj() == 4.0);
}

TEST_CASE("100,000 Value<int> in one process stay under 32 MiB") {
  auto before = rss_kib();
  std::vector<Value<int>> values;
  values.reserve(100000);
  for (int i = 0; i < 100000; ++i)
    values.emplace_back(i);
  auto after = rss_kib();
  INFO("RSS grew by " << (after - before) << " KiB");
  CHECK(after - before < 32 * 1024);
  CHECK(values[99999].value() == 99999);
  values[12345] += 1;
  CHECK(values[12345].value() == 12346);
}

TEST_CASE("Freed values are reused: allocating and dropping does not grow memory") {
  for (int i = 0; i < 1000; ++i)
    Value<int> warm{i};
  auto before = rss_kib();
  for (int i = 0; i < 200000; ++i) {
    Value<int> v{i};
    v += 1;
  }
  CHECK(rss_kib() - before < 4 * 1024);
}

// Array and RawArray: construction, element access, bounds, snapshots,
// atomic element operators across processes.

#include <catch2/catch.hpp>

#include <cstring>
#include <mutex>
#include <numeric>
#include <vector>

#include <mpactor/mpactor.hpp>

using mpactor::Array;
using mpactor::Lock;
using mpactor::Process;
using mpactor::RawArray;

TEST_CASE("Array of a size is zero-filled") {
  Array<double> sut(3);
  CHECK(sut.size() == 3);
  CHECK(sut.to_vector() == std::vector<double>{0.0, 0.0, 0.0});
}

TEST_CASE("Array from an initializer list or an iterator range copies it") {
  Array<int> a{1, 2, 3};
  CHECK(a.to_vector() == std::vector<int>{1, 2, 3});
  std::vector<long> src{5, 6, 7, 8};
  Array<long> b(src.begin(), src.end());
  CHECK(b.size() == 4);
  CHECK(b.to_vector() == src);
  Array<char> text(std::begin("hi"), std::end("hi"));
  CHECK(std::strcmp(text.get_obj().data(), "hi") == 0);
}

TEST_CASE("Array of size zero is empty and refuses every index") {
  Array<int> sut(0);
  CHECK(sut.size() == 0);
  CHECK(sut.to_vector().empty());
  CHECK_THROWS_AS(sut[0], mpactor::IndexError);
  RawArray<int> raw(0);
  CHECK(raw.empty());
  CHECK(raw.begin() == raw.end());
}

TEST_CASE("Array index out of range throws IndexError naming index and size") {
  Array<int> sut(3);
  CHECK_THROWS_AS(sut[3], mpactor::IndexError);
  CHECK_THROWS_WITH(sut[7], Catch::Contains("7") && Catch::Contains("size 3"));
  CHECK_THROWS_AS(sut.get_obj()[3], mpactor::IndexError);
  RawArray<int> raw(2);
  CHECK_THROWS_AS(raw[2], mpactor::IndexError);
}

TEST_CASE("Array elements read, write and update under the lock") {
  Array<int> sut(4);
  sut[0] = 5;
  CHECK(int(sut[0]) == 5);
  CHECK((sut[1] += 3) == 3);
  CHECK((sut[1] *= 4) == 12);
  CHECK((sut[1] -= 2) == 10);
  CHECK((sut[1] /= 5) == 2);
  CHECK(++sut[2] == 1);
  CHECK(--sut[2] == 0);
  sut[3] = sut[1];
  CHECK(sut.to_vector() == std::vector<int>{5, 2, 0, 2});
}

TEST_CASE("Array element compound operators take operands of other types that lose nothing") {
  Array<double> reals(1);
  CHECK((reals[0] += 1.5) == 1.5);
  CHECK((reals[0] += 2) == 3.5);
  Array<long> ints(1);
  CHECK((ints[0] += 7) == 7);
  CHECK((ints[0] *= short{3}) == 21);
  CHECK((ints[0] %= 4u) == 1);
  // a[0] += 1.5 on an integer Array is refused at compile time:
  // tests/shm/compile_fail/array_int_plus_float.cpp.
}

TEST_CASE("Array element += from four processes loses no update") {
  Array<long> sut(2);
  std::vector<Process> ps;
  for (int i = 0; i < 4; ++i)
    ps.emplace_back([sut] {
      for (int k = 0; k < 3000; ++k) {
        sut[0] += 1;
        sut[1] += 2;
      }
    });
  for (auto& p : ps)
    p.start();
  for (auto& p : ps)
    p.join();
  CHECK(sut.to_vector() == std::vector<long>{12000, 24000});
}

TEST_CASE("Array get_obj is an unsynchronized view for holders of the lock") {
  Array<int> sut{3, 1, 2};
  {
    std::lock_guard<Lock> g{sut.get_lock()};
    auto& raw = sut.get_obj();
    std::sort(raw.begin(), raw.end());
    CHECK(raw.size() == 3);
    CHECK(std::accumulate(raw.begin(), raw.end(), 0) == 6);
  }
  CHECK(sut.to_vector() == std::vector<int>{1, 2, 3});
}

TEST_CASE("Array assign overwrites all elements or refuses a wrong count") {
  Array<int> sut(3);
  sut.assign({7, 8, 9});
  CHECK(sut.to_vector() == std::vector<int>{7, 8, 9});
  CHECK_THROWS_AS(sut.assign({1, 2}), mpactor::ValueError);
}

TEST_CASE("Array shares a given lock with a Value") {
  Lock shared;
  Array<int> arr(2, shared);
  mpactor::Value<int> total{0, shared};
  CHECK(arr.get_lock() == total.get_lock());
  std::lock_guard<Lock> g{shared};
  arr[0] = 1;
  total += 1;
  CHECK(total.value() == 1);
}

TEST_CASE("Array to_vector of a large array equals its contents") {
  std::vector<double> src(1 << 20);
  std::iota(src.begin(), src.end(), 0.0);
  Array<double> sut(src.begin(), src.end());
  CHECK(sut.to_vector() == src);
  Process p([sut] { sut[1 << 19] = -1.0; });
  p.start();
  p.join();
  CHECK(double(sut[1 << 19]) == -1.0);
}

TEST_CASE("RawArray is shared with children") {
  RawArray<int> sut{1, 2, 3};
  Process p([sut] { sut[2] = 30; });
  p.start();
  p.join();
  CHECK(sut.to_vector() == std::vector<int>{1, 2, 30});
}

TEST_CASE("Range-for over an Array walks its elements in place, and len gives its size") {
  Array<int> sut{1, 2, 3};
  int sum = 0;
  {
    std::lock_guard<Lock> hold(sut.get_lock());
    for (int& x : sut)
      x *= 10;
  }
  for (int x : sut)
    sum += x;
  CHECK(sum == 60);
  CHECK(mpactor::len(sut) == 3);
}

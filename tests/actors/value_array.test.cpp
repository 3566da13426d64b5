// Tests of ValueProxy and ArrayProxy: get/set, typed reads, indices and
// their errors, and use across processes and threads.

#include <catch2/catch.hpp>

#include <mutex>
#include <thread>
#include <vector>

#include <mpactor/mpactor.hpp>

using namespace std::chrono_literals;
using mpactor::json;

TEST_CASE("A Value holds any json value and set replaces it") {
  auto m = mpactor::Manager();
  auto sut = m.Value(3.5);
  CHECK(sut.get() == 3.5);
  CHECK(sut.get<double>() == Approx(3.5));
  sut.set("text");
  CHECK(sut.get<std::string>() == "text");
  sut.set(json{{"a", json::array({1, 2})}});
  CHECK(sut.get() == json{{"a", json::array({1, 2})}});
  CHECK(m.Value().get().is_null());
}

TEST_CASE("A typed Value get of a mismatching value names both types") {
  auto m = mpactor::Manager();
  auto sut = m.Value("x");
  try {
    (void) sut.get<int>();
    FAIL("expected TypeError");
  } catch (const mpactor::TypeError& e) {
    CHECK_THAT(e.what(), Catch::Contains("int") && Catch::Contains("str"));
  }
  CHECK_THROWS_AS(sut.get<bool>(), mpactor::TypeError);
}

TEST_CASE("Children increment a Value under a managed Lock and no update is lost") {
  auto m = mpactor::Manager();
  auto sut = m.Value(0);
  auto lock = m.Lock();
  std::vector<mpactor::Process> ps;
  for (int i = 0; i < 3; ++i)
    ps.emplace_back([sut, lock]() mutable {
      for (int k = 0; k < 20; ++k) {
        std::lock_guard<mpactor::AcquirerProxy> guard{lock};
        sut.set(sut.get<int>() + 1);
      }
    });
  for (auto& p : ps)
    p.start();
  for (auto& p : ps) {
    REQUIRE(p.join(5s));
    CHECK(p.exitcode() == 0);
  }
  CHECK(sut.get<int>() == 60);
}

TEST_CASE("Threads increment a Value under a managed Lock and no update is lost") {
  auto m = mpactor::Manager();
  auto sut = m.Value(0);
  auto lock = m.Lock();
  std::vector<std::thread> ts;
  for (int i = 0; i < 3; ++i)
    ts.emplace_back([&] {
      for (int k = 0; k < 20; ++k) {
        std::lock_guard<mpactor::AcquirerProxy> guard{lock};
        sut.set(sut.get<int>() + 1);
      }
    });
  for (auto& t : ts)
    t.join();
  CHECK(sut.get<int>() == 60);
}

TEST_CASE("An Array is made from a list or a zero-filled size") {
  auto m = mpactor::Manager();
  auto sut = m.Array({1, 2, 3});
  CHECK(sut.size() == 3);
  CHECK(sut.copy() == json::array({1, 2, 3}));
  auto zeros = m.Array(4);
  CHECK(zeros.copy() == json::array({0, 0, 0, 0}));
  CHECK(m.Array().size() == 0);
}

TEST_CASE("An Array refuses a negative size and non-primitive elements") {
  auto m = mpactor::Manager();
  CHECK_THROWS_AS(m.Array(-1), mpactor::ValueError);
  CHECK_THROWS_AS(m.Array(json::array({json::array({1})})), mpactor::TypeError);
  CHECK_THROWS_AS(m.Array("abc"), mpactor::TypeError);
  auto sut = m.Array(2);
  CHECK_THROWS_AS(sut.set(0, json::array({1})), mpactor::TypeError);
  CHECK_THROWS_AS(sut.set(0, json{{"k", 1}}), mpactor::TypeError);
  CHECK(sut.copy() == json::array({0, 0}));
}

TEST_CASE("Array get and set take negative indices and raise IndexError out of range") {
  auto m = mpactor::Manager();
  auto sut = m.Array({10, 20, 30});
  CHECK(sut.get(-1) == 30);
  CHECK(sut.get<int>(0) == 10);
  sut.set(-3, 11);
  sut.set(2, 2.5);
  CHECK(sut.copy() == json::array({11, 20, 2.5}));
  CHECK_THROWS_AS(sut.get(3), mpactor::IndexError);
  CHECK_THROWS_AS(sut.get(-4), mpactor::IndexError);
  CHECK_THROWS_AS(sut.set(3, 1), mpactor::IndexError);
  CHECK_THROWS_AS(sut.get<std::string>(0), mpactor::TypeError);
}

TEST_CASE("Children write their own Array slots and the parent sees all of them") {
  auto m = mpactor::Manager();
  auto sut = m.Array(4);
  std::vector<mpactor::Process> ps;
  for (int i = 0; i < 4; ++i)
    ps.emplace_back([sut, i] { sut.set(i, i * i); });
  for (auto& p : ps)
    p.start();
  for (auto& p : ps) {
    REQUIRE(p.join(5s));
    CHECK(p.exitcode() == 0);
  }
  CHECK(sut.copy() == json::array({0, 1, 4, 9}));
}

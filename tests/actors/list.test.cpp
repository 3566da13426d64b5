// Tests of ListProxy: every method, its errors, and use across processes and
// threads of one process.

#include <catch2/catch.hpp>

#include <thread>
#include <vector>

#include <mpactor/mpactor.hpp>

using namespace std::chrono_literals;
using mpactor::json;

TEST_CASE("A list starts with the items it was made from") {
  auto m = mpactor::Manager();
  auto sut = m.list({1, "two", 3.5});
  CHECK(sut.size() == 3);
  CHECK(sut.copy() == json::array({1, "two", 3.5}));
  CHECK(m.list().size() == 0);
  CHECK_THROWS_AS(m.list(json{{"a", 1}}), mpactor::TypeError);
}

TEST_CASE("append and extend add at the end and extend refuses a non-list") {
  auto m = mpactor::Manager();
  auto sut = m.list();
  sut.append(1);
  sut.extend({2, 3});
  sut.append(json::array({4}));
  CHECK(sut.copy() == json::array({1, 2, 3, json::array({4})}));
  CHECK_THROWS_AS(sut.extend(5), mpactor::TypeError);
  CHECK(sut.size() == 4);
}

TEST_CASE("get and set accept negative indices and raise IndexError out of range") {
  auto m = mpactor::Manager();
  auto sut = m.list({10, 20, 30});
  CHECK(sut.get(0) == 10);
  CHECK(sut.get(-1) == 30);
  CHECK(sut.get(-3) == 10);
  sut.set(-1, 33);
  sut.set(0, "first");
  CHECK(sut.copy() == json::array({"first", 20, 33}));
  CHECK_THROWS_AS(sut.get(3), mpactor::IndexError);
  CHECK_THROWS_AS(sut.get(-4), mpactor::IndexError);
  CHECK_THROWS_AS(sut.set(3, 1), mpactor::IndexError);
  CHECK_THROWS_AS(m.list().get(0), mpactor::IndexError);
}

TEST_CASE("A typed list get converts and a mismatch names both types") {
  auto m = mpactor::Manager();
  auto sut = m.list({1, "s", 2.5, true});
  CHECK(sut.get<int>(0) == 1);
  CHECK(sut.get<std::string>(1) == "s");
  CHECK(sut.get<double>(2) == Approx(2.5));
  CHECK(sut.get<bool>(3));
  try {
    (void) sut.get<std::string>(0);
    FAIL("expected TypeError");
  } catch (const mpactor::TypeError& e) {
    CHECK_THAT(e.what(), Catch::Contains("str") && Catch::Contains("int"));
  }
  CHECK_THROWS_AS(sut.get<mpactor::ListProxy>(0), mpactor::TypeError);
}

TEST_CASE("insert clamps the index as Python does") {
  auto m = mpactor::Manager();
  auto sut = m.list({1, 2, 3});
  sut.insert(0, "a");
  sut.insert(100, "z");
  sut.insert(-1, "y");
  sut.insert(-100, "0");
  CHECK(sut.copy() == json::array({"0", "a", 1, 2, 3, "y", "z"}));
}

TEST_CASE("pop removes by index and raises IndexError on an empty list") {
  auto m = mpactor::Manager();
  auto sut = m.list({1, 2, 3, 4});
  CHECK(sut.pop() == 4);
  CHECK(sut.pop(0) == 1);
  CHECK(sut.pop<int>(-1) == 3);
  CHECK_THROWS_AS(sut.pop(5), mpactor::IndexError);
  CHECK(sut.pop() == 2);
  CHECK_THROWS_AS(sut.pop(), mpactor::IndexError);
  CHECK(sut.size() == 0);
}

TEST_CASE("remove and index find the first equal item or raise ValueError") {
  auto m = mpactor::Manager();
  auto sut = m.list({"a", "b", "a"});
  CHECK(sut.index("a") == 0);
  CHECK(sut.index("b") == 1);
  sut.remove("a");
  CHECK(sut.copy() == json::array({"b", "a"}));
  CHECK_THROWS_AS(sut.remove("x"), mpactor::ValueError);
  CHECK_THROWS_AS(sut.index("x"), mpactor::ValueError);
}

TEST_CASE("count counts equal items") {
  auto m = mpactor::Manager();
  auto sut = m.list({1, 2, 1, 1, "1"});
  CHECK(sut.count(1) == 3);
  CHECK(sut.count("1") == 1);
  CHECK(sut.count(7) == 0);
}

TEST_CASE("reverse and sort order the list and sort refuses mixed types") {
  auto m = mpactor::Manager();
  auto sut = m.list({3, 1, 2});
  sut.reverse();
  CHECK(sut.copy() == json::array({2, 1, 3}));
  sut.sort();
  CHECK(sut.copy() == json::array({1, 2, 3}));
  sut.sort(true);
  CHECK(sut.copy() == json::array({3, 2, 1}));
  auto words = m.list({"b", "c", "a"});
  words.sort();
  CHECK(words.to_vector<std::string>() == std::vector<std::string>{"a", "b", "c"});
  auto mixed = m.list({1, "a"});
  CHECK_THROWS_AS(mixed.sort(), mpactor::TypeError);
  CHECK(mixed.copy() == json::array({1, "a"})); // unchanged
  auto empty = m.list();
  empty.sort();
  CHECK(empty.size() == 0);
}

TEST_CASE("clear empties the list") {
  auto m = mpactor::Manager();
  auto sut = m.list({1, 2});
  sut.clear();
  CHECK(sut.size() == 0);
  CHECK(sut.copy() == json::array());
}

TEST_CASE("to_vector converts every item and raises TypeError on a mismatch") {
  auto m = mpactor::Manager();
  auto sut = m.list({1, 2, 3});
  CHECK(sut.to_vector<int>() == std::vector<int>{1, 2, 3});
  sut.append("x");
  CHECK_THROWS_AS(sut.to_vector<int>(), mpactor::TypeError);
}

TEST_CASE("Children append to the parent's list and every item arrives") {
  auto m = mpactor::Manager();
  auto sut = m.list();
  std::vector<mpactor::Process> ps;
  for (int i = 0; i < 3; ++i)
    ps.emplace_back([sut, i] {
      for (int k = 0; k < 20; ++k)
        sut.append(i);
    });
  for (auto& p : ps)
    p.start();
  for (auto& p : ps) {
    REQUIRE(p.join(5s));
    CHECK(p.exitcode() == 0);
  }
  CHECK(sut.size() == 60);
  CHECK(sut.count(0) == 20);
  CHECK(sut.count(2) == 20);
}

TEST_CASE("Threads of one process append through one shared list proxy") {
  auto m = mpactor::Manager();
  auto sut = m.list();
  std::vector<std::thread> ts;
  for (int i = 0; i < 4; ++i)
    ts.emplace_back([&sut, i] {
      for (int k = 0; k < 50; ++k)
        sut.append(i);
    });
  for (auto& t : ts)
    t.join();
  CHECK(sut.size() == 200);
  CHECK(sut.count(3) == 50);
}

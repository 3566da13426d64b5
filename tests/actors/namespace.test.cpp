// Tests of NamespaceProxy: attributes, the copy pitfall, errors, Python's
// repr, and use across processes and threads.

#include <catch2/catch.hpp>

#include <type_traits>

#include <thread>
#include <vector>

#include <mpactor/mpactor.hpp>

using namespace std::chrono_literals;
using mpactor::json;

TEST_CASE("A Namespace starts empty and set then get returns the value") {
  auto m = mpactor::Manager();
  auto sut = m.Namespace();
  CHECK(sut.items() == json::object());
  sut.set("x", 10);
  sut.set("y", "hello");
  CHECK(sut.get("x") == 10);
  CHECK(sut.get<std::string>("y") == "hello");
  sut.set("x", 11);
  CHECK(sut.get<int>("x") == 11);
}

TEST_CASE("get of a missing attribute raises AttributeError which is a KeyError") {
  auto m = mpactor::Manager();
  auto sut = m.Namespace();
  CHECK_THROWS_AS(sut.get("nope"), mpactor::AttributeError);
  CHECK_THROWS_AS(sut.get("nope"), mpactor::KeyError);
  CHECK_THROWS_WITH(sut.get("nope"), Catch::Contains("nope"));
}

TEST_CASE("erase removes an attribute and raises AttributeError when missing") {
  auto m = mpactor::Manager();
  auto sut = m.Namespace();
  sut.set("x", 1);
  CHECK(sut.contains("x"));
  sut.erase("x");
  CHECK_FALSE(sut.contains("x"));
  CHECK_THROWS_AS(sut.erase("x"), mpactor::AttributeError);
}

TEST_CASE("A typed get of a mismatching attribute names both types") {
  auto m = mpactor::Manager();
  auto sut = m.Namespace();
  sut.set("x", "text");
  try {
    (void) sut.get<int>("x");
    FAIL("expected TypeError");
  } catch (const mpactor::TypeError& e) {
    CHECK_THAT(e.what(), Catch::Contains("int") && Catch::Contains("str"));
  }
}

TEST_CASE("get returns a copy so mutating it does not change the Namespace") {
  auto m = mpactor::Manager();
  auto sut = m.Namespace();
  sut.set("x", json::array());
  // get returns a json value, not a reference into the Namespace: mutating
  // it cannot reach the server (Python's ns.x.append(1) pitfall).
  static_assert(std::is_same_v<decltype(sut.get("x")), json>);
  auto copy = sut.get("x");
  copy.push_back(1);
  sut.set("x", copy); // assigning back is the fix
  CHECK(sut.get("x") == json::array({1}));
}

TEST_CASE("items returns every attribute and to_string prints like Python") {
  auto m = mpactor::Manager();
  auto sut = m.Namespace();
  sut.set("x", json::array());
  sut.set("y", json::array({"x"}));
  CHECK(sut.items() == json{{"x", json::array()}, {"y", json::array({"x"})}});
  CHECK(sut.to_string() == "Namespace(x=[], y=['x'])");
  CHECK(m.Namespace().to_string() == "Namespace()");
}

TEST_CASE("A child sets an attribute the parent then reads") {
  auto m = mpactor::Manager();
  auto sut = m.Namespace();
  sut.set("in", 5);
  mpactor::Process p([sut] { sut.set("out", sut.get<int>("in") * 2); });
  p.start();
  REQUIRE(p.join(5s));
  CHECK(p.exitcode() == 0);
  CHECK(sut.get("out") == 10);
}

TEST_CASE("Threads of one process set attributes through one shared proxy") {
  auto m = mpactor::Manager();
  auto sut = m.Namespace();
  std::vector<std::thread> ts;
  for (int i = 0; i < 4; ++i)
    ts.emplace_back([&sut, i] { sut.set("t" + std::to_string(i), i); });
  for (auto& t : ts)
    t.join();
  CHECK(sut.items().size() == 4);
  CHECK(sut.get("t3") == 3);
}

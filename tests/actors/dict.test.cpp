// Tests of DictProxy: every method, its errors, and use across processes and
// threads of one process.

#include <catch2/catch.hpp>

#include <type_traits>

#include <thread>
#include <vector>

#include <mpactor/mpactor.hpp>

using namespace std::chrono_literals;
using mpactor::json;

TEST_CASE("A dict starts with the items it was made from") {
  auto m = mpactor::Manager();
  auto sut = m.dict({{"a", 1}, {"b", "two"}});
  CHECK(sut.size() == 2);
  CHECK(sut.get("a") == 1);
  CHECK(sut.get("b") == "two");
  CHECK(m.dict().size() == 0);
}

TEST_CASE("A dict can be made from a list of key value pairs") {
  auto m = mpactor::Manager();
  auto sut = m.dict(json::array({json::array({1, "one"}), json::array({"k", 2})}));
  CHECK(sut.get(1) == "one");
  CHECK(sut.get("k") == 2);
}

TEST_CASE("A dict refuses to be made from a number") {
  auto m = mpactor::Manager();
  CHECK_THROWS_AS(m.dict(42), mpactor::TypeError);
}

TEST_CASE("set then get returns the value and set overwrites") {
  auto m = mpactor::Manager();
  auto sut = m.dict();
  sut.set("x", 1);
  CHECK(sut.get("x") == 1);
  sut.set("x", json::array({1, 2}));
  CHECK(sut.get("x") == json::array({1, 2}));
  CHECK(sut.size() == 1);
}

TEST_CASE("get of a missing key raises KeyError and get with a default returns the default") {
  auto m = mpactor::Manager();
  auto sut = m.dict({{"a", 1}});
  CHECK_THROWS_AS(sut.get("missing"), mpactor::KeyError);
  CHECK(sut.get("missing", 7) == 7);
  CHECK(sut.get("a", 7) == 1);
  CHECK(sut.get<int>("missing", 8) == 8);
  CHECK_FALSE(sut.contains("missing"));
}

TEST_CASE("Keys may be integers and strings and stay distinct") {
  auto m = mpactor::Manager();
  auto sut = m.dict();
  sut.set(1, "int");
  sut.set("1", "str");
  CHECK(sut.size() == 2);
  CHECK(sut.get(1) == "int");
  CHECK(sut.get("1") == "str");
}

TEST_CASE("A typed dict get converts and a mismatch names both types") {
  auto m = mpactor::Manager();
  auto sut = m.dict({{"n", 5}, {"s", "text"}});
  CHECK(sut.get<int>("n") == 5);
  CHECK(sut.get<std::string>("s") == "text");
  try {
    (void) sut.get<int>("s");
    FAIL("expected TypeError");
  } catch (const mpactor::TypeError& e) {
    std::string what = e.what();
    CHECK_THAT(what, Catch::Contains("int"));
    CHECK_THAT(what, Catch::Contains("str"));
  }
}

TEST_CASE("contains tells whether a key is present") {
  auto m = mpactor::Manager();
  auto sut = m.dict({{"a", 1}});
  CHECK(sut.contains("a"));
  CHECK_FALSE(sut.contains("b"));
}

TEST_CASE("pop removes and returns and raises KeyError when missing without default") {
  auto m = mpactor::Manager();
  auto sut = m.dict({{"a", 1}});
  CHECK(sut.pop("a") == 1);
  CHECK_FALSE(sut.contains("a"));
  CHECK_THROWS_AS(sut.pop("a"), mpactor::KeyError);
  CHECK(sut.pop("a", "fallback") == "fallback");
  CHECK(sut.size() == 0);
}

TEST_CASE("erase removes a key and raises KeyError when missing") {
  auto m = mpactor::Manager();
  auto sut = m.dict({{"a", 1}, {"b", 2}});
  sut.erase("a");
  CHECK(sut.size() == 1);
  CHECK_FALSE(sut.contains("a"));
  CHECK_THROWS_AS(sut.erase("a"), mpactor::KeyError);
}

TEST_CASE("keys values and items come in insertion order") {
  auto m = mpactor::Manager();
  auto sut = m.dict();
  sut.set("z", 1);
  sut.set("a", 2);
  sut.set(3, 3);
  CHECK(sut.keys() == std::vector<json>{"z", "a", 3});
  CHECK(sut.values() == std::vector<json>{1, 2, 3});
  auto items = sut.items();
  REQUIRE(items.size() == 3);
  CHECK(items[0] == std::pair<json, json>{"z", 1});
  CHECK(items[2] == std::pair<json, json>{3, 3});
}

TEST_CASE("update takes an object or a list of pairs and refuses anything else") {
  auto m = mpactor::Manager();
  auto sut = m.dict({{"a", 1}});
  sut.update({{"a", 10}, {"b", 2}});
  CHECK(sut.get("a") == 10);
  CHECK(sut.get("b") == 2);
  sut.update(json::array({json::array({5, "five"})}));
  CHECK(sut.get(5) == "five");
  CHECK_THROWS_AS(sut.update(3), mpactor::TypeError);
  CHECK_THROWS_AS(sut.update(json::array({1, 2})), mpactor::TypeError);
  CHECK(sut.size() == 3);
}

TEST_CASE("setdefault inserts only when missing and returns the stored value") {
  auto m = mpactor::Manager();
  auto sut = m.dict({{"a", 1}});
  CHECK(sut.setdefault("a", 5) == 1);
  CHECK(sut.setdefault("b", 5) == 5);
  CHECK(sut.get("b") == 5);
  CHECK(sut.setdefault("c").is_null());
  CHECK(sut.contains("c"));
}

TEST_CASE("clear empties the dict") {
  auto m = mpactor::Manager();
  auto sut = m.dict({{"a", 1}, {"b", 2}});
  sut.clear();
  CHECK(sut.size() == 0);
  CHECK(sut.keys().empty());
}

TEST_CASE("copy returns the whole dict as a json object") {
  auto m = mpactor::Manager();
  auto sut = m.dict({{"a", 1}, {"b", json::array({1})}});
  auto c = sut.copy();
  CHECK(c == json{{"a", 1}, {"b", json::array({1})}});
  // A copy, not a view: a value, and taken anew at each call.
  static_assert(std::is_same_v<decltype(sut.copy()), json>);
  sut.set("a", 2);
  CHECK(sut.copy()["a"] == 2);
  CHECK(c["a"] == 1);
}

TEST_CASE("A child process writes to the parent's dict through the same proxy") {
  auto m = mpactor::Manager();
  auto sut = m.dict();
  mpactor::Process p([sut] {
    sut.set("from_child", 42);
    if (sut.get("seed") != 1)
      throw mpactor::SystemExit{3};
  });
  sut.set("seed", 1);
  p.start();
  REQUIRE(p.join(5s));
  CHECK(p.exitcode() == 0);
  CHECK(sut.get("from_child") == 42);
}

TEST_CASE("Several processes each write their own keys and all arrive") {
  auto m = mpactor::Manager();
  auto sut = m.dict();
  std::vector<mpactor::Process> ps;
  for (int i = 0; i < 4; ++i)
    ps.emplace_back([sut, i] {
      for (int k = 0; k < 25; ++k)
        sut.set(i * 100 + k, i);
    });
  for (auto& p : ps)
    p.start();
  for (auto& p : ps) {
    REQUIRE(p.join(5s));
    CHECK(p.exitcode() == 0);
  }
  CHECK(sut.size() == 100);
  CHECK(sut.get(312) == 3);
}

TEST_CASE("Threads of one process share one dict proxy") {
  auto m = mpactor::Manager();
  auto sut = m.dict();
  std::vector<std::thread> ts;
  for (int i = 0; i < 4; ++i)
    ts.emplace_back([&sut, i] {
      for (int k = 0; k < 50; ++k)
        sut.set(std::to_string(i) + "-" + std::to_string(k), k);
    });
  for (auto& t : ts)
    t.join();
  CHECK(sut.size() == 200);
  CHECK(sut.get("3-49") == 49);
}

TEST_CASE("copy refuses keys that a json object would merge, and items keeps them in order") {
  auto m = mpactor::Manager();
  auto sut = m.dict();
  sut[json("b")] = 1;
  sut[json(1)] = "int";
  sut[json("1")] = "str";
  try {
    sut.copy();
    FAIL("copy must not drop one of the keys 1 and \"1\"");
  } catch (const mpactor::ValueError& e) {
    CHECK(std::string{e.what()}.find("items()") != std::string::npos);
  }
  auto items = sut.items();
  REQUIRE(items.size() == 3); // nothing lost, in insertion order, key types kept
  CHECK(items[0] == std::pair<json, json>{"b", 1});
  CHECK(items[1] == std::pair<json, json>{1, "int"});
  CHECK(items[2] == std::pair<json, json>{"1", "str"});
  sut.erase("1");
  CHECK(sut.copy() == json{{"b", 1}, {"1", "int"}}); // the int key as its JSON text
}

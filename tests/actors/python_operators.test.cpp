// Tests of the Python operators on proxies: d[k], l[i], l[a:b], len(),
// `in`, range-for, +=, del, popitem, fromkeys, sort(reverse), reversed.

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include <mpactor/mpactor.hpp>

using mpactor::json;
using mpactor::none;
using mpactor::slice;

TEST_CASE("d[k] = v writes and d[k] reads a dict item") {
  auto m = mpactor::Manager();
  auto sut = m.dict();
  sut["a"] = 1;
  sut[2] = "two";
  json a = sut["a"];
  int n = sut["a"];
  std::string two = sut[2];
  CHECK(a == 1);
  CHECK(n == 1);
  CHECK(two == "two");
  CHECK(sut["a"] == 1);
  CHECK(sut["a"].get<int>() == 1);
  CHECK_THROWS_AS(json(sut["missing"].get()), mpactor::KeyError);
  sut["b"] = sut["a"];
  CHECK(sut.get("b") == 1);
}

TEST_CASE("len, contains and erase on a dict are Python's len, in and del") {
  auto m = mpactor::Manager();
  auto sut = m.dict({{"a", 1}, {"b", 2}});
  CHECK(mpactor::len(sut) == 2);
  CHECK(sut.contains("a"));
  sut.erase("a");
  CHECK_FALSE(sut.contains("a"));
  CHECK(len(sut) == 1);
}

TEST_CASE("Range-for over a dict yields its keys in insertion order") {
  auto m = mpactor::Manager();
  auto sut = m.dict();
  sut["z"] = 1;
  sut["a"] = 2;
  sut[3] = 3;
  std::vector<json> keys;
  for (auto& k : sut)
    keys.push_back(k);
  CHECK(keys == std::vector<json>{"z", "a", 3});
  std::vector<json> none_seen;
  for (auto& k : m.dict())
    none_seen.push_back(k);
  CHECK(none_seen.empty());
}

TEST_CASE("popitem removes the last inserted item and raises KeyError when empty") {
  auto m = mpactor::Manager();
  auto sut = m.dict();
  sut["x"] = 1;
  sut["y"] = 2;
  auto [k, v] = sut.popitem();
  CHECK(k == "y");
  CHECK(v == 2);
  CHECK(len(sut) == 1);
  sut.popitem();
  CHECK_THROWS_AS(sut.popitem(), mpactor::KeyError);
}

TEST_CASE("fromkeys makes a dict of keys with one value, keeping their order") {
  auto m = mpactor::Manager();
  auto sut = m.dict(mpactor::DictProxy::fromkeys({"b", "a", 1}, 0));
  std::vector<json> keys;
  for (auto& k : sut)
    keys.push_back(k);
  CHECK(keys == std::vector<json>{"b", "a", 1});
  CHECK(sut[1] == 0);
}

TEST_CASE("l[i] reads and writes a list item, negative indices count from the end") {
  auto m = mpactor::Manager();
  auto sut = m.list({10, 20, 30});
  CHECK(sut[0] == 10);
  CHECK(sut[-1] == 30);
  sut[-1] = 33;
  CHECK(sut.get(2) == 33);
  CHECK_THROWS_AS(sut[3].get(), mpactor::IndexError);
  CHECK_THROWS_AS(sut[3] = 1, mpactor::IndexError);
}

TEST_CASE("List slices read as Python's l[a:b:step]") {
  auto m = mpactor::Manager();
  auto sut = m.list({0, 1, 2, 3, 4, 5});
  CHECK(sut[slice(1, 3)] == json::array({1, 2}));
  CHECK(sut[slice(-2, none)] == json::array({4, 5}));
  CHECK(sut[slice(none, none, 2)] == json::array({0, 2, 4}));
  CHECK(sut[slice(none, none, -1)] == json::array({5, 4, 3, 2, 1, 0}));
  CHECK(sut[slice(4, 1, -2)] == json::array({4, 2}));
  CHECK(sut[slice(2)] == json::array({0, 1}));
  CHECK(sut[slice(10, 20)] == json::array());
  CHECK_THROWS_AS(sut[slice(0, 2, 0)].get(), mpactor::ValueError);
}

TEST_CASE("Assigning a list to a slice replaces it, as Python") {
  auto m = mpactor::Manager();
  auto sut = m.list({0, 1, 2, 3});
  sut[slice(1, 3)] = {7, 8, 9};
  CHECK(sut.copy() == json::array({0, 7, 8, 9, 3}));
  sut[slice(none, none, 2)] = {-1, -2, -3};
  CHECK(sut.copy() == json::array({-1, 7, -2, 9, -3}));
  CHECK_THROWS_AS(sut[slice(none, none, 2)] = {1}, mpactor::ValueError);
  sut[slice(0, 0)] = {"front"};
  CHECK(sut[0] == "front");
}

TEST_CASE("erase is Python's del of an index or a slice") {
  auto m = mpactor::Manager();
  auto sut = m.list({0, 1, 2, 3, 4, 5});
  sut.erase(0);
  CHECK(sut.copy() == json::array({1, 2, 3, 4, 5}));
  sut.erase(slice(none, none, 2));
  CHECK(sut.copy() == json::array({2, 4}));
  sut.erase(slice(-1, none));
  CHECK(sut.copy() == json::array({2}));
  CHECK_THROWS_AS(sut.erase(5), mpactor::IndexError);
}

TEST_CASE("A list supports len, in, +=, range-for, sort(reverse) and reversed") {
  auto m = mpactor::Manager();
  auto sut = m.list({3, 1});
  sut += json::array({2});
  sut += m.list({0});
  CHECK(mpactor::len(sut) == 4);
  CHECK(sut.contains(2));
  CHECK_FALSE(sut.contains(9));
  std::vector<int> seen;
  for (auto& v : sut)
    seen.push_back(v.get<int>());
  CHECK(seen == std::vector<int>{3, 1, 2, 0});
  sut.sort(true);
  CHECK(sut.copy() == json::array({3, 2, 1, 0}));
  CHECK(reversed(sut) == std::vector<json>{0, 1, 2, 3});
}

TEST_CASE("An Array proxy supports a[i], len, in and range-for") {
  auto m = mpactor::Manager();
  auto sut = m.Array(json::array({1, 2, 3}));
  sut[0] = 5;
  CHECK(sut[0] == 5);
  CHECK(len(sut) == 3);
  CHECK(sut.contains(3));
  std::vector<json> seen;
  for (auto& v : sut)
    seen.push_back(v);
  CHECK(seen == std::vector<json>{5, 2, 3});
  CHECK(reversed(sut) == std::vector<json>{3, 2, 5});
}

TEST_CASE("ns[name] reads and writes a Namespace attribute") {
  auto m = mpactor::Manager();
  auto sut = m.Namespace();
  sut["x"] = 1;
  CHECK(sut["x"] == 1);
  CHECK(sut.get("x") == 1);
  CHECK_THROWS_AS(sut["y"].get(), mpactor::AttributeError);
}

TEST_CASE("A proxy in a list reads back through l[i] as a proxy") {
  auto m = mpactor::Manager();
  auto sut = m.list();
  sut.append(m.dict({{"k", 1}}));
  mpactor::DictProxy inner = sut[0];
  CHECK(inner["k"] == 1);
}

// Batch: pipelined calls sent together and awaited together, each with its
// own result or typed error.

#include <catch2/catch.hpp>

#include <vector>

#include <mpactor/mpactor.hpp>

using namespace std::chrono_literals;
using namespace mpactor;

TEST_CASE("A batch of a thousand gets returns every value in order") {
  auto m = Manager();
  auto d = m.dict();
  json init = json::object();
  for (int i = 0; i < 1000; ++i)
    init[std::to_string(i)] = i * 3;
  d.update(init);
  Batch sut;
  std::vector<Future> gets;
  for (int i = 0; i < 1000; ++i)
    gets.push_back(sut.add(d, "get", {{"key", std::to_string(i)}}));
  CHECK(sut.size() == 1000);
  CHECK_FALSE(gets[0].ready());
  CHECK_THROWS_AS(gets[0].get(), ValueError);
  sut.run();
  CHECK(sut.size() == 0);
  for (int i = 0; i < 1000; ++i) {
    REQUIRE(gets[static_cast<std::size_t>(i)].ready());
    CHECK(gets[static_cast<std::size_t>(i)].get<int>() == i * 3);
  }
}

TEST_CASE("A failed call in a batch raises its own error and spares the others") {
  auto m = Manager();
  auto d = m.dict({{"a", 1}});
  auto l = m.list(json::array({"x"}));
  Batch sut;
  auto ok = sut.add(d, "get", {{"key", "a"}});
  auto missing = sut.add(d, "get", {{"key", "nope"}});
  auto out_of_range = sut.add(l, "get", {{"index", 5}});
  auto after = sut.add(l, "get", {{"index", 0}});
  sut.run();
  CHECK(ok.get<int>() == 1);
  CHECK_THROWS_AS(missing.get(), KeyError);
  CHECK_THROWS_AS(out_of_range.get(), IndexError);
  CHECK(after.get<std::string>() == "x");
  CHECK_THROWS_AS(ok.get<std::string>(), TypeError);
}

TEST_CASE("A batch keeps the order of its writes and reads") {
  auto m = Manager();
  auto l = m.list();
  Batch sut;
  for (int i = 0; i < 500; ++i)
    sut.add(l, "append", {{"value", i}});
  auto size = sut.add(l, "size");
  sut.run();
  CHECK(size.get<int>() == 500);
  CHECK(l.get<int>(499) == 499);
}

TEST_CASE("A batch spans two managers and waits for a deferred reply") {
  auto m1 = Manager();
  auto m2 = Manager();
  auto d1 = m1.dict({{"k", "one"}});
  auto d2 = m2.dict({{"k", "two"}});
  auto q = m1.Queue();
  Batch sut;
  auto a = sut.add(d1, "get", {{"key", "k"}});
  auto b = sut.add(d2, "get", {{"key", "k"}});
  auto empty = sut.add(q, "get", {{"block", true}, {"timeout", 0.05}});
  sut.run();
  CHECK(a.get<std::string>() == "one");
  CHECK(b.get<std::string>() == "two");
  CHECK_THROWS_AS(empty.get(), Empty);
}

TEST_CASE("A batch runs in a forked child on the parent's proxies") {
  auto m = Manager();
  auto d = m.dict();
  Process child([&] {
    Batch b;
    for (int i = 0; i < 100; ++i)
      b.add(d, "set", {{"key", i}, {"value", i + 1}});
    b.run();
  });
  child.start();
  child.join();
  CHECK(child.exitcode() == 0);
  CHECK(d.size() == 100);
  CHECK(d.get<int>(99) == 100);
}

TEST_CASE("A batch result that is a managed object converts to its proxy") {
  auto m = Manager();
  auto ns = m.Namespace();
  ns.set("inner", m.list(json::array({7})));
  Batch sut;
  auto inner = sut.add(ns, "get", {{"name", "inner"}});
  sut.run();
  CHECK(inner.get<ListProxy>().get<int>(0) == 7);
}

TEST_CASE("A sent call is served before the thread's next call and its error surfaces there") {
  auto m = Manager();
  auto l = m.list();
  for (int i = 0; i < 300; ++i) // more than a window: the oldest replies are read on the way
    l.send("append", {{"value", i}});
  CHECK(l.size() == 300);
  l.send("get", {{"index", 1000}}); // fails in the server
  CHECK_THROWS_AS(l.size(), IndexError);
  CHECK(l.size() == 300); // raised once; the connection goes on
}

// Tests of nested proxies: a proxy stored in a managed object stays a live
// reference to the same object, across processes, and reads back as a typed
// proxy.

#include <catch2/catch.hpp>

#include <chrono>

#include <mpactor/mpactor.hpp>

#include "eventually.hpp"

using namespace std::chrono_literals;
using mpactor::json;

TEST_CASE("A list stored in a dict reads back as a proxy to the same list") {
  auto m = mpactor::Manager();
  auto sut = m.dict();
  auto inner = m.list({1});
  sut.set("inner", inner);
  auto back = sut.get<mpactor::ListProxy>("inner");
  CHECK(back == inner);
  back.append(2);
  CHECK(inner.copy() == json::array({1, 2}));
  CHECK(m.stats()["objects"] == 2); // no copy was made
}

TEST_CASE("A child mutates a list stored in a Namespace and the parent sees it") {
  auto m = mpactor::Manager();
  auto sut = m.Namespace();
  sut.set("x", m.list()); // the only proxy of the list is a temporary
  mpactor::Process child([sut] { sut.get<mpactor::ListProxy>("x").append("from child"); });
  child.start();
  REQUIRE(child.join(5s));
  CHECK(child.exitcode() == 0);
  CHECK(sut.get<mpactor::ListProxy>("x").copy() == json::array({"from child"}));
}

TEST_CASE("An object kept only inside a container stays alive until the container lets go") {
  auto m = mpactor::Manager();
  auto sut = m.dict();
  {
    auto inner = m.dict({{"k", "v"}});
    sut.set("d", inner);
  } // the last proxy is gone: the reference in `sut` keeps the object
  CHECK(m.stats()["objects"] == 2);
  CHECK(sut.get<mpactor::DictProxy>("d").get("k") == "v");
  sut.erase("d");
  // The proxy that get() made above gives its reference back by a
  // notification on another connection than the erase: it may land after.
  CHECK(mpactor_test::eventually([&] { return m.stats()["objects"] == 1; }, 5s));
}

TEST_CASE("A popped nested proxy stays live after leaving its container") {
  auto m = mpactor::Manager();
  auto sut = m.list();
  sut.append(m.dict({{"a", 1}}));
  auto inner = sut.pop<mpactor::DictProxy>();
  CHECK(sut.size() == 0);
  CHECK(inner.get("a") == 1);
  CHECK(m.stats()["objects"] == 2);
}

TEST_CASE("A proxy passed through a Queue reaches another process live") {
  auto m = mpactor::Manager();
  auto sut = m.Queue();
  auto done = m.Event();
  mpactor::Process child([sut, done] {
    auto target = sut.get<mpactor::ListProxy>(true, 5s);
    target.append(42);
    done.set();
  });
  child.start();
  {
    auto target = m.list();
    sut.put(target);
    REQUIRE(done.wait(5s));
    CHECK(target.copy() == json::array({42}));
  }
  REQUIRE(child.join(5s));
  CHECK(child.exitcode() == 0);
}

TEST_CASE("Lists nest in lists and Values hold proxies") {
  auto m = mpactor::Manager();
  auto sut = m.list();
  sut.append(m.list({"deep"}));
  CHECK(sut.get<mpactor::ListProxy>(0).get(0) == "deep");
  auto v = m.Value(m.Event());
  v.get<mpactor::EventProxy>().set();
  CHECK(v.get<mpactor::EventProxy>().is_set());
}

TEST_CASE("A typed proxy read of a plain value raises TypeError naming what was found") {
  auto m = mpactor::Manager();
  auto sut = m.dict({{"n", 5}});
  try {
    (void) sut.get<mpactor::ListProxy>("n");
    FAIL("expected TypeError");
  } catch (const mpactor::TypeError& e) {
    CHECK_THAT(e.what(), Catch::Contains("proxy") && Catch::Contains("int"));
  }
}

TEST_CASE("A default-constructed proxy refers to nothing and raises ValueError") {
  mpactor::ListProxy sut;
  CHECK_FALSE(sut.valid());
  CHECK_FALSE(static_cast<bool>(sut));
  CHECK_THROWS_AS(sut.size(), mpactor::ValueError);
  CHECK(json(sut).is_null());
}

// Tests of the manager's silent traps made loud: registering on a started
// manager, exposing a result type the manager cannot make, shutdown() of a
// connected manager, start() after shutdown().

#include <catch2/catch.hpp>

#include <string>

#include <mpactor/mpactor.hpp>

namespace {

struct Widget {
  int n = 0;
  int get() const { return n; }
  std::vector<int> some() const { return {1, 2}; }
};

} // namespace

TEST_CASE("Registering a type on a started manager is a ProcessError at once") {
  auto sut = mpactor::Manager();
  CHECK_THROWS_AS(sut.register_type<Widget>("Widget"), mpactor::ProcessError);
  CHECK_THROWS_WITH(sut.register_type<Widget>("Widget"),
                    Catch::Contains("'Widget'") && Catch::Contains("before start()"));
  CHECK_THROWS_AS(sut.register_shared("q", "Queue"), mpactor::ProcessError);
}

TEST_CASE("Registering before start works and the type can be created") {
  mpactor::SyncManager sut;
  sut.register_type<Widget>("Widget").expose("get", &Widget::get);
  sut.start();
  CHECK(sut.create("Widget").call("get", {{"args", mpactor::json::array()}}) == 0);
}

TEST_CASE("Exposing a result type id the manager cannot make is refused at registration") {
  mpactor::BaseManager sut;
  auto reg = sut.register_type<Widget>("Widget");
  CHECK_THROWS_AS(reg.expose("some", &Widget::some, "list"), mpactor::ValueError);
  CHECK_THROWS_WITH(reg.expose("some", &Widget::some, "list"), Catch::Contains("'list'"));
  mpactor::SyncManager sync;
  CHECK_NOTHROW(sync.register_type<Widget>("Widget").expose("some", &Widget::some, "list"));
}

TEST_CASE("shutdown of a connected manager closes its link and leaves the server running") {
  auto host = mpactor::Manager();
  auto d = host.dict();
  mpactor::SyncManager sut(host.address(), host.authkey());
  sut.connect();
  CHECK(sut.dict().size() == 0);
  sut.shutdown();
  CHECK_THROWS_AS(sut.dict(), mpactor::ValueError);
  d.set("still", "served");
  CHECK(d.get("still") == "served");
  CHECK(host.is_alive());
}

TEST_CASE("start after shutdown says the manager has shut down, as Python") {
  mpactor::SyncManager sut;
  sut.start();
  sut.shutdown();
  CHECK_THROWS_AS(sut.start(), mpactor::ProcessError);
  CHECK_THROWS_WITH(sut.start(), Catch::Contains("Manager has shut down"));
}

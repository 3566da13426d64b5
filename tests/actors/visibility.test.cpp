// What a process did through a proxy before it ended is visible to the
// process that joined it, as in Python: nothing is still in flight.

#include <catch2/catch.hpp>

#include <mpactor/mpactor.hpp>

using namespace mpactor;

TEST_CASE("Items a child put are in the queue once the parent has joined it") {
  auto m = Manager();
  auto sut = m.Queue();
  for (int round = 0; round < 20; ++round) {
    Process child([&] {
      for (int i = 0; i < 10; ++i)
        sut.put(i);
    });
    child.start();
    child.join();
    REQUIRE(child.exitcode() == 0);
    for (int i = 0; i < 10; ++i)
      CHECK(sut.get_nowait().get<int>() == i);
    CHECK_THROWS_AS(sut.get_nowait(), Empty);
  }
}

TEST_CASE("Writes of a child are visible once the parent has joined it") {
  auto m = Manager();
  auto d = m.dict();
  auto l = m.list();
  Process child([&] {
    d.set("k", 1);
    l.append("x");
  });
  child.start();
  child.join();
  CHECK(d.get<int>("k") == 1);
  CHECK(l.size() == 1);
}

// A manager's statistics: what a user reads to see why a manager is slow.

#include <catch2/catch.hpp>

#include <mpactor/mpactor.hpp>

TEST_CASE("Manager stats tell objects per type, clients, call rate and memory") {
  auto m = mpactor::Manager();
  auto d = m.dict();
  auto l = m.list();
  for (int i = 0; i < 100; ++i)
    d.set(i, i);
  auto sut = m.stats();
  CHECK(sut["objects_by_type"]["dict"] == 1);
  CHECK(sut["objects_by_type"]["list"] == 1);
  CHECK(sut["sessions"].get<long>() >= 1);
  CHECK(sut["calls"].get<long>() >= 100);
  CHECK(sut["calls_per_second"].get<double>() > 0);
  CHECK(sut["memory_rss_bytes"].get<long>() > 0);
}

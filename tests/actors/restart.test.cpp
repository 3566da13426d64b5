// A server restarted on the same address: new connections work, proxies of
// the earlier run fail clearly. And a server refuses to listen beyond
// loopback without an authkey.

#include <catch2/catch.hpp>

#include <mpactor/mpactor.hpp>

using namespace mpactor;

TEST_CASE("Proxies of a restarted server fail clearly while new ones work") {
  SyncManager first{Address{"127.0.0.1", 0}, "restart-key"};
  first.start();
  auto addr = first.address();
  auto old_dict = first.dict();
  old_dict.set("k", 1);
  first.shutdown();

  SyncManager second{addr, "restart-key"};
  second.start();
  REQUIRE(second.address() == addr);
  auto fresh = second.dict();
  fresh.set("k", 2);
  CHECK(fresh.get<int>("k") == 2);
  CHECK_THROWS_AS(old_dict.get("k"), ConnectionError);
  CHECK_THROWS_WITH(old_dict.get("k"), Catch::Contains("restarted"));
  CHECK(fresh.get<int>("k") == 2); // the new server's data is untouched
}

TEST_CASE("A server refuses to listen beyond loopback without an authkey") {
  auto registry = std::make_shared<object_registry>();
  CHECK_THROWS_AS(server(Address{"0.0.0.0", 0}, "", registry), ValueError);
  server local{Address{"127.0.0.1", 0}, "", registry}; // loopback is fine
  CHECK(local.address().port != 0);
}

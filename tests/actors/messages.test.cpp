// Tests of error messages: C++ type names demangled, a registered method's
// name and argument position in its argument errors, and the type of a
// non-mpactor exception thrown by a method, and one wording for a dead manager.

#include <catch2/catch.hpp>

#include <csignal>
#include <stdexcept>
#include <string>

#include <signal.h>

#include <mpactor/mpactor.hpp>

using mpactor::json;
using namespace std::chrono_literals;

struct Config {
  int workers = 0;
};

void from_json(const json& j, Config& c) { j.at("workers").get_to(c.workers); }

struct Shop {
  int add(int count, const std::string& name) const {
    return count + static_cast<int>(name.size());
  }
  int explode() const { throw std::runtime_error("boom"); }
};

TEST_CASE("A conversion error names the user's type as its source spells it") {
  CHECK(mpactor::expected_type_name<Config>() == "Config");
  CHECK_THROWS_WITH(mpactor::json_as<Config>(json{{"workers", "many"}}),
                    Catch::StartsWith("expected Config, got dict"));
}

TEST_CASE("An argument error of a registered method names the method and the position") {
  mpactor::SyncManager m;
  m.register_type<Shop>("Shop").expose("add", &Shop::add).expose("explode", &Shop::explode);
  m.start();
  auto sut = m.create<mpactor::AutoProxy>("Shop");
  CHECK(sut.call_method<int>("add", 3, "ab") == 5);
  CHECK_THROWS_AS(sut.call_method("add", 3, 4), mpactor::TypeError);
  CHECK_THROWS_WITH(sut.call_method("add", 3, 4),
                    Catch::Contains("add() argument 2") && Catch::Contains("expected str, got int"));
  CHECK_THROWS_WITH(sut.call_method("add", "widget", "x"),
                    Catch::Contains("add() argument 1"));
}

TEST_CASE("A std exception thrown by a method arrives with its type") {
  mpactor::SyncManager m;
  m.register_type<Shop>("Shop").expose("explode", &Shop::explode);
  m.start();
  auto sut = m.create<mpactor::AutoProxy>("Shop");
  CHECK_THROWS_AS(sut.call_method("explode"), mpactor::RemoteError);
  CHECK_THROWS_WITH(sut.call_method("explode"), Catch::Contains("std::runtime_error: boom"));
}

TEST_CASE("Every call to a killed manager says the manager is gone, in one wording") {
  auto m = mpactor::Manager();
  auto d = m.dict({{"a", 1}});
  auto l = m.list();
  REQUIRE(d.get("a") == 1);
  ::kill(m.server_pid(), SIGKILL);
  m.join(5s);
  REQUIRE_FALSE(m.is_alive());
  CHECK_THROWS_WITH(d.get("a"), Catch::Contains("the manager at ") && Catch::Contains(" is gone ("));
  CHECK_THROWS_WITH(l.append(1), Catch::Contains("the manager at ") && Catch::Contains(" is gone ("));
  CHECK_THROWS_WITH(d.set("b", 2), Catch::Contains("the manager at ") && Catch::Contains(" is gone ("));
  CHECK_THROWS_WITH(m.dict(), Catch::Contains("the manager at ") && Catch::Contains(" is gone ("));
  CHECK_THROWS_AS(d.get("a"), mpactor::ConnectionError);
}

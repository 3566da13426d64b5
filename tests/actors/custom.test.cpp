// Tests of registered C++ classes: register_type<T>().expose(...), AutoProxy
// call_method, AttributeError and TypeError, errors raised by methods,
// methods that return a managed object.

#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>
#include <vector>

#include <mpactor/mpactor.hpp>

using namespace std::chrono_literals;
using mpactor::json;

namespace {

class Maths {
public:
  int add(int x, int y) const { return x + y; }
  double mul(double x, double y) const { return x * y; }
  std::string greet(const std::string& name) const { return "hello " + name; }
  std::vector<int> range(int n) const {
    std::vector<int> out;
    for (int i = 0; i < n; ++i)
      out.push_back(i);
    return out;
  }
  int fail_value(int) const { throw mpactor::ValueError("bad value"); }
  int fail_other() const { throw std::runtime_error("something broke"); }
  int hidden() const { return 0; }
};

class Counter {
public:
  Counter() = default;
  explicit Counter(const json& init) : n_(init.get<long>()) {}
  void increment() { ++n_; }
  void add(long k) { n_ += k; }
  long value() const { return n_; }

private:
  long n_ = 0;
};

mpactor::SyncManager maths_manager() {
  mpactor::SyncManager m;
  m.register_type<Maths>("Maths")
    .expose("add", &Maths::add)
    .expose("mul", &Maths::mul)
    .expose("greet", &Maths::greet)
    .expose("range", &Maths::range)
    .expose("range_list", &Maths::range, "list")
    .expose("fail_value", &Maths::fail_value)
    .expose("fail_other", &Maths::fail_other);
  m.register_type<Counter>("Counter")
    .expose("increment", &Counter::increment)
    .expose("add", &Counter::add)
    .expose("value", &Counter::value);
  m.start();
  return m;
}

} // namespace

TEST_CASE("An exposed method is called with positional arguments and returns its result") {
  auto m = maths_manager();
  auto sut = m.create<mpactor::AutoProxy>("Maths");
  CHECK(sut.call_method<int>("add", 1, 2) == 3);
  CHECK(sut.call_method("add", 40, 2) == 42);
  CHECK(sut.call_method<double>("mul", 1.5, 4) == Approx(6.0));
  CHECK(sut.call_method<std::string>("greet", "world") == "hello world");
  CHECK(sut.call_method("range", 3) == json::array({0, 1, 2}));
}

TEST_CASE("A method that is not exposed raises AttributeError") {
  auto m = maths_manager();
  auto sut = m.create<mpactor::AutoProxy>("Maths");
  CHECK_THROWS_AS(sut.call_method("hidden"), mpactor::AttributeError);
  CHECK_THROWS_WITH(sut.call_method("hidden"), Catch::Contains("hidden"));
}

TEST_CASE("A wrong number of arguments raises TypeError") {
  auto m = maths_manager();
  auto sut = m.create<mpactor::AutoProxy>("Maths");
  CHECK_THROWS_AS(sut.call_method("add", 1), mpactor::TypeError);
  CHECK_THROWS_AS(sut.call_method("add", 1, 2, 3), mpactor::TypeError);
  CHECK_THROWS_WITH(sut.call_method("add"), Catch::Contains("2"));
}

TEST_CASE("A wrong argument type raises TypeError") {
  auto m = maths_manager();
  auto sut = m.create<mpactor::AutoProxy>("Maths");
  CHECK_THROWS_AS(sut.call_method("add", "one", 2), mpactor::TypeError);
  CHECK_THROWS_AS(sut.call_method("greet", 5), mpactor::TypeError);
  CHECK_THROWS_AS(sut.call_method<std::string>("add", 1, 2), mpactor::TypeError);
  CHECK(sut.call_method<int>("add", 1, 2) == 3); // the object is still fine
}

TEST_CASE("An exception a method throws reaches the caller with its type") {
  auto m = maths_manager();
  auto sut = m.create<mpactor::AutoProxy>("Maths");
  CHECK_THROWS_AS(sut.call_method("fail_value", 1), mpactor::ValueError);
  CHECK_THROWS_AS(sut.call_method("fail_other"), mpactor::RemoteError);
  CHECK_THROWS_WITH(sut.call_method("fail_other"), Catch::Contains("something broke"));
  CHECK(sut.call_method<int>("add", 2, 2) == 4);
}

TEST_CASE("A method exposed with a result type id returns a proxy to a new managed object") {
  auto m = maths_manager();
  auto sut = m.create<mpactor::AutoProxy>("Maths");
  auto l = sut.call_method<mpactor::ListProxy>("range_list", 4);
  CHECK(l.copy() == json::array({0, 1, 2, 3}));
  l.append(4);
  CHECK(l.size() == 5);
  CHECK(m.stats()["objects_by_type"]["list"] == 1);
  CHECK(m.stats()["objects"] == 2);
}

TEST_CASE("A registered object keeps its state across calls and processes") {
  auto m = maths_manager();
  auto sut = m.create<mpactor::AutoProxy>("Counter");
  sut.call_method("increment");
  sut.call_method("add", 10);
  mpactor::Process child([sut] { sut.call_method("add", 100); });
  child.start();
  REQUIRE(child.join(5s));
  CHECK(child.exitcode() == 0);
  CHECK(sut.call_method<long>("value") == 111);
}

TEST_CASE("A registered object is made from an initial value") {
  auto m = maths_manager();
  auto sut = m.create<mpactor::AutoProxy>("Counter", {{"init", 7}});
  CHECK(sut.call_method<long>("value") == 7);
  CHECK_THROWS_AS(m.create<mpactor::AutoProxy>("Maths", {{"init", 1}}), mpactor::TypeError);
}

TEST_CASE("A registered type keeps the built-in SyncManager types") {
  auto m = maths_manager();
  auto sut = m.dict();
  sut.set("maths", m.create<mpactor::AutoProxy>("Maths"));
  CHECK(sut.get<mpactor::AutoProxy>("maths").call_method<int>("add", 3, 4) == 7);
}

// Tests of managed Value and Array made with Python's typecodes: stored
// values are checked and converted as ctypes does; untyped ones take anything.

#include <catch2/catch.hpp>

#include <mpactor/mpactor.hpp>

using mpactor::json;

TEST_CASE("A typed managed Value refuses a value of another type") {
  auto m = mpactor::Manager();
  auto sut = m.Value('i', 7);
  CHECK(sut.get() == 7);
  CHECK_THROWS_AS(sut.set("seven"), mpactor::TypeError);
  CHECK_THROWS_AS(sut.set(1.5), mpactor::TypeError);
  CHECK_THROWS_AS(m.Value('i', "x"), mpactor::TypeError);
  CHECK(sut.get() == 7);
  sut.set(true);
  CHECK(sut.get() == 1);
}

TEST_CASE("A typed managed Value converts as ctypes: ints wrap, floats become floats") {
  auto m = mpactor::Manager();
  CHECK(m.Value('b', 300).get() == 44);
  CHECK(m.Value('B', -1).get() == 255);
  auto d = m.Value('d', 1);
  CHECK(d.get().is_number_float());
  CHECK(d.get() == 1.0);
  CHECK(m.Value('f', 0.1).get<double>() == static_cast<double>(0.1f));
  CHECK(m.Value('c', "x").get() == "x");
  CHECK_THROWS_AS(m.Value('c', "xy"), mpactor::TypeError);
  CHECK_THROWS_AS(m.Value('z', 0), mpactor::ValueError);
}

TEST_CASE("A typed managed Array fills with the type's zero and checks each element") {
  auto m = mpactor::Manager();
  auto sut = m.Array('d', 3);
  CHECK(sut.copy() == json::array({0.0, 0.0, 0.0}));
  CHECK(sut.get(0).is_number_float());
  sut[1] = 2;
  CHECK(sut[1].get().is_number_float());
  CHECK_THROWS_AS(sut[0] = "no", mpactor::TypeError);
  auto ints = m.Array('i', {1, 2, 3});
  CHECK_THROWS_AS(ints.set(0, 0.5), mpactor::TypeError);
  CHECK_THROWS_AS(m.Array('i', {1, "two"}), mpactor::TypeError);
}

TEST_CASE("Untyped managed Values and Arrays still take any value") {
  auto m = mpactor::Manager();
  auto v = m.Value(7);
  v.set("seven");
  CHECK(v.get() == "seven");
  auto a = m.Array({1, 2});
  a.set(0, "one");
  CHECK(a.get(0) == "one");
}

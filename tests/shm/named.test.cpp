// Named Values and Arrays: create-only, open-only, open-or-create, unlink,
// permissions, type checks and clear errors.

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include <sys/stat.h>
#include <unistd.h>

#include <mpactor/mpactor.hpp>

using mpactor::Array;
using mpactor::Process;
using mpactor::Value;

namespace {

std::string unique(const std::string& stem) {
  static int serial = 0;
  return "test." + stem + "." + std::to_string(getpid()) + "." + std::to_string(++serial);
}

struct unlink_after {
  std::string name;
  ~unlink_after() { mpactor::named_segment::unlink(name); }
};

} // namespace

TEST_CASE("Named Value created by one process is opened by another") {
  auto name = unique("value");
  unlink_after cleanup{name};
  auto sut = Value<int>::create(name, 41);
  Process p([&] {
    auto other = Value<int>::open(name); // a mapping of its own
    other += 1;
  });
  p.start();
  p.join();
  CHECK(p.exitcode() == 0);
  CHECK(sut.value() == 42);
}

TEST_CASE("Named create fails when the name exists, naming it") {
  auto name = unique("exists");
  unlink_after cleanup{name};
  auto first = Value<int>::create(name, 1);
  CHECK_THROWS_AS(Value<int>::create(name, 2), mpactor::FileExistsError);
  CHECK_THROWS_WITH(Value<int>::create(name, 2), Catch::Contains(name));
  CHECK(first.value() == 1);
}

TEST_CASE("Named open fails when the name does not exist, naming it") {
  auto name = unique("missing");
  CHECK_THROWS_AS(Value<int>::open(name), mpactor::FileNotFoundError);
  CHECK_THROWS_WITH(Array<double>::open(name), Catch::Contains(name));
}

TEST_CASE("Named open_or_create creates once, then opens") {
  auto name = unique("ooc");
  unlink_after cleanup{name};
  auto a = Value<long>::open_or_create(name, 5);
  auto b = Value<long>::open_or_create(name, 99);
  CHECK(b.value() == 5);
  b += 1;
  CHECK(a.value() == 6);
}

TEST_CASE("Named open as another type fails with TypeError naming both") {
  auto name = unique("type");
  unlink_after cleanup{name};
  auto a = Value<double>::create(name, 1.0);
  CHECK_THROWS_AS(Value<int>::open(name), mpactor::TypeError);
  CHECK_THROWS_WITH(Value<int>::open(name),
                    Catch::Contains("double") && Catch::Contains("int"));
}

TEST_CASE("Named unlink removes the name but not open handles") {
  auto name = unique("unlink");
  auto a = Value<int>::create(name, 3);
  CHECK(Value<int>::unlink(name));
  CHECK_FALSE(Value<int>::unlink(name));
  CHECK_THROWS_AS(Value<int>::open(name), mpactor::FileNotFoundError);
  a += 1;
  CHECK(a.value() == 4);
}

TEST_CASE("Named segments are created with mode 0600") {
  auto name = unique("mode");
  unlink_after cleanup{name};
  auto a = Array<int>::create(name, 4);
  struct stat st {};
  REQUIRE(stat(("/dev/shm/mpactor." + name).c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
}

TEST_CASE("Named Array keeps its size and contents across opens") {
  auto name = unique("array");
  unlink_after cleanup{name};
  auto a = Array<double>::create(name, {1.5, 2.5, 3.5});
  auto b = Array<double>::open(name);
  CHECK(b.size() == 3);
  CHECK(b.to_vector() == std::vector<double>{1.5, 2.5, 3.5});
  b[1] += 1.0;
  CHECK(double(a[1]) == 3.5);
  auto zero = unique("zero");
  unlink_after cleanup_zero{zero};
  auto z = Array<int>::open_or_create(zero, 0);
  CHECK(z.size() == 0);
}

TEST_CASE("Named lock is shared by processes that open the name") {
  auto name = unique("lock");
  unlink_after cleanup{name};
  auto sut = Value<long>::create(name, 0);
  auto work = [&] {
    auto v = Value<long>::open(name);
    for (int i = 0; i < 5000; ++i)
      v += 1;
  };
  Process a(work), b(work);
  a.start();
  b.start();
  a.join();
  b.join();
  CHECK(sut.value() == 10000);
}

TEST_CASE("Named objects refuse invalid names with ValueError") {
  CHECK_THROWS_AS(Value<int>::create(""), mpactor::ValueError);
  CHECK_THROWS_AS(Value<int>::create("a/b"), mpactor::ValueError);
  CHECK_THROWS_AS(Value<int>::open(std::string(300, 'x')), mpactor::ValueError);
}

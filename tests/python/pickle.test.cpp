// The pickle codec of Python values (actors/python): CPython's own pickles
// read as the documented json, every value through writer and reader, Python's
// key identity, and hostile pickles refused with a pickle_error (never a crash,
// a hang or a big allocation). That CPython loads the writer's pickles is
// checked by check_pickle_writer.py (a ctest of its own).

#include <catch2/catch.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <mpactor/actors/python/flat_pickle_reader.hpp>
#include <mpactor/actors/python/pickle_reader.hpp>
#include <mpactor/actors/python/pickle_writer.hpp>
#include <mpactor/actors/python/python_int.hpp>
#include <mpactor/actors/python/python_value.hpp>

#include "pickle_values.hpp"

using namespace mpactor;
using namespace std::string_literals;
using namespace mpactor::python;
using mpactor::python::testing::pickle_values;
using mpactor::python::testing::same;

namespace {

struct fixture {
  const char* name;
  int protocol;
  const char* hex;
};

const fixture fixtures[] = {
#include "pickle_fixtures.inc"
};

std::string unhex(const std::string& hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    out += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  return out;
}

json value_named(const std::string& name) {
  for (auto& [n, v] : pickle_values())
    if (n == name)
      return v;
  FAIL("no C++ twin for " << name);
  return nullptr;
}

std::string describe(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

// The message of the pickle_error that reading `pickle` throws.
std::string refusal(const std::string& pickle, pickle_limits limits = {}) {
  pickle_reader sut{limits};
  try {
    auto value = sut.read(pickle);
    FAIL("read, not refused: " << describe(value));
  } catch (const pickle_error& e) {
    return e.what();
  }
  return {};
}

// A literal's bytes, NULs included.
template <std::size_t N>
std::string refusal(const char (&pickle)[N], pickle_limits limits = {}) {
  return refusal(std::string(pickle, N - 1), limits);
}

std::string repeat(const std::string& s, std::size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (std::size_t i = 0; i < n; ++i)
    out += s;
  return out;
}

} // namespace

// -- the value model ------------------------------------------------------------

TEST_CASE("An int is a json integer within 64 bits and tagged beyond", "[python]") {
  CHECK(same(py_int("5"), json(5)));
  CHECK(same(py_int("-9223372036854775808"), json(std::numeric_limits<std::int64_t>::min())));
  CHECK(same(py_int("18446744073709551615"), json(std::numeric_limits<std::uint64_t>::max())));
  CHECK(same(py_int("18446744073709551616"),
             json{{"__py__", "int"}, {"v", "18446744073709551616"}}));
  CHECK(same(py_int("-0007"), json(-7)));
  CHECK(py_int("-00000000000000000000000018446744073709551616")["v"] == "-18446744073709551616");
  CHECK_THROWS_AS(py_int("12a"), ValueError);
  CHECK_THROWS_AS(py_int(""), ValueError);
}

TEST_CASE("Two's complement bytes and decimal text convert both ways", "[python]") {
  for (const std::string& decimal : std::vector<std::string>{"0", "1", "-1", "127", "128", "-128", "-129", "255", "256",
                              "-1180591620717411303425", "1" + std::string(100, '0')}) {
    auto bytes = twos_complement_from_decimal(decimal);
    REQUIRE(bytes);
    CHECK(decimal_from_twos_complement(bytes->data(), bytes->size()) == decimal);
  }
  // CPython's shortest forms: 128 is 80 00, -128 is 80, -129 is 7f ff.
  CHECK(*twos_complement_from_decimal("128") == std::vector<std::uint8_t>{0x80, 0x00});
  CHECK(*twos_complement_from_decimal("-128") == std::vector<std::uint8_t>{0x80});
  CHECK(*twos_complement_from_decimal("-129") == std::vector<std::uint8_t>{0x7f, 0xff});
  CHECK(decimal_from_integral_double(1e20) == "100000000000000000000");
  CHECK(decimal_from_integral_double(-0.0) == "0");
  CHECK_FALSE(decimal_from_integral_double(0.5));
}

TEST_CASE("Python's key identity: 1, 1.0, True and a tagged 1 are one key", "[python]") {
  CHECK(python_key(1) == python_key(1.0));
  CHECK(python_key(1) == python_key(true));
  CHECK(python_key(1) == python_key(json{{"__py__", "int"}, {"v", "1"}}));
  CHECK(python_key(0) == python_key(-0.0));
  CHECK(python_key(0) == python_key(false));
  CHECK(python_key(1e20) == python_key(py_int("100000000000000000000")));
  CHECK(python_key(py_tuple(1, "a")) == python_key(py_tuple(1.0, "a")));
  CHECK(python_key(py_frozenset({1, 2})) == python_key(py_frozenset({2, 1})));
  CHECK(python_key(std::numeric_limits<std::uint64_t>::max())
        == python_key(py_int("18446744073709551615")));
  CHECK(python_key("a") != python_key(py_bytes("a")));
  CHECK(python_key(1) != python_key("1"));
  CHECK(python_key(1.5) != python_key(1));
  CHECK(python_key(nullptr) != python_key(0));
  CHECK(python_key(py_tuple(1, 2)) != python_key(py_tuple(12)));
  CHECK(python_key(py_tuple(py_tuple(1), 2)) != python_key(py_tuple(1, py_tuple(2))));
  CHECK_THROWS_WITH(python_key(json::array({1})), "unhashable type: 'list'");
  CHECK_THROWS_WITH(python_key(json::object()), "unhashable type: 'dict'");
  CHECK_THROWS_WITH(python_key(py_set({1})), "unhashable type: 'set'");
  CHECK_THROWS_WITH(python_key(py_bytearray("x")), "unhashable type: 'bytearray'");
  CHECK_THROWS_AS(python_key(py_tuple(json::array())), TypeError);
}

TEST_CASE("A dict is an object when its keys allow, else tagged pairs, keys unique", "[python]") {
  CHECK(same(py_dict({{"a", 1}, {"b", 2}}), json{{"a", 1}, {"b", 2}}));
  auto sut = py_dict({{1, "x"}, {true, "y"}, {1.0, "z"}, {"1", "s"}});
  REQUIRE(py_kind(sut) == "dict");
  // Python: {1: 'x', True: 'y', 1.0: 'z', '1': 's'} == {1: 'z', '1': 's'}
  CHECK(same(sut["v"], json::array({json::array({1, "z"}), json::array({"1", "s"})})));
  CHECK(py_kind(py_dict({{"__py__", "int"}, {"v", "5"}})) == "dict");
  CHECK(py_kind(py_dict({{"__mpactor_ref__", 1}})) == "dict");
  CHECK(py_dict_items(py_dict({{2, 3}})).at(0).first == 2);
  CHECK_THROWS_AS(py_dict({{json::array(), 1}}), TypeError);
  CHECK(py_set({1, true, 1.0, 2})["v"].size() == 2);
  CHECK(is_py_dict(json::object()));
  CHECK_FALSE(is_py_dict(py_tuple()));
}

// -- CPython's pickles ------------------------------------------------------------

TEST_CASE("CPython's pickles at protocols 2 to 5 read as the documented json", "[python]") {
  pickle_reader sut;
  std::size_t count = 0;
  for (const auto& f : fixtures) {
    INFO(f.name << " at protocol " << f.protocol);
    auto value = sut.read(unhex(f.hex));
    auto expected = value_named(f.name);
    INFO("read " << describe(value) << ", expected " << describe(expected));
    CHECK(same(value, expected));
    ++count;
  }
  CHECK(count == pickle_values().size() * 4);
}

TEST_CASE("Every value is the same after the writer and the reader", "[python]") {
  pickle_writer writer;
  pickle_reader reader;
  for (const auto& [name, value] : pickle_values()) {
    INFO(name);
    auto pickle = writer.write(value);
    CHECK(pickle.substr(0, 2) == "\x80\x04");
    CHECK(same(reader.read(pickle), value));
  }
}

TEST_CASE("A reply pair is written as the tuple would be, and not at all on error", "[python]") {
  pickle_writer writer;
  for (const auto& [name, value] : pickle_values()) {
    INFO(name);
    std::string out = "head";
    writer.write_pair("#RETURN", value, out);
    CHECK(out == "head" + writer.write(py_tuple("#RETURN", value)));
  }
  std::string long_kind(300, 'k'); // a BINUNICODE, not a SHORT_BINUNICODE
  std::string out;
  writer.write_pair(long_kind, 1, out);
  CHECK(out == writer.write(py_tuple(long_kind, 1)));
  out = "kept";
  CHECK_THROWS_AS(writer.write_pair("#RETURN", json{{"__py__", "int"}, {"v", "12x"}}, out),
                  ValueError);
  CHECK(out == "kept");
}

TEST_CASE("A pickled dict with 1, 1.0 and True as keys holds one key", "[python]") {
  // {1: 'a', 1.0: 'b', True: 'c'} as CPython writes it: Python keeps the key 1
  // and the value 'c'.
  auto pickle = "\x80\x04}(K\x01\x8c\x01""aG\x3f\xf0\0\0\0\0\0\0\x8c\x01""b\x88\x8c\x01""cu."s;
  auto value = pickle_reader{}.read(pickle);
  CHECK(same(value, py_dict({{1, "c"}})));
}

TEST_CASE("The manager wire's frames read as tuples", "[python]") {
  // (None, 'create', ('dict',), {}) from a 3.11 client, as captured.
  auto create = unhex("8004951900000000000000284e8c06637265617465948c04646963749485947d9474942e");
  CHECK(same(pickle_reader{}.read(create),
             py_tuple(nullptr, "create", py_tuple("dict"), json::object())));
  // ('#ERROR', KeyError('missing')) from a 3.11 server.
  auto error = unhex("80049532000000000000008c06234552524f52948c086275696c74696e73948c084b65794"
                     "572726f729493948c076d697373696e67948594529486942e");
  CHECK(same(pickle_reader{}.read(error),
             py_tuple("#ERROR", py_exception("builtins.KeyError", {"missing"}))));
}

TEST_CASE("A value fetched from the memo reads whole each time it is used", "[python]") {
  pickle_reader sut;
  // s = 'ab'; (s, s): the str itself twice.
  CHECK(same(sut.read("\x80\x04\x8c\x02\x61\x62\x94h\0\x86."s), py_tuple("ab", "ab")));
  // l = ['ab']; (l, l): a str inside a shared list, then the list again.
  CHECK(same(sut.read("\x80\x04]\x94\x8c\x02\x61\x62\x94\x61h\0\x86."s),
             py_tuple(json::array({"ab"}), json::array({"ab"}))));
  // (['ab'], 'ab'): the str fetched again after its list used it.
  CHECK(same(sut.read("\x80\x04]\x94\x8c\x02\x61\x62\x94\x61h\x01\x86."s),
             py_tuple(json::array({"ab"}), "ab")));
}

TEST_CASE("A request's items read as read() gives them inside its tuple", "[python]") {
  pickle_reader sut;
  // (None, 'create', ('dict',), {}) from a 3.11 client, as captured.
  auto create = unhex("8004951900000000000000284e8c06637265617465948c04646963749485947d9474942e");
  auto items = sut.read_tuple(create);
  REQUIRE(items);
  CHECK(same(json(*items), py_payload(sut.read(create))));
  CHECK(items->size() == 4);
  CHECK((*items)[1] == "create");
  CHECK(same((*items)[2], py_tuple("dict")));
  // The args (item 2) as their items, on either path.
  for (const auto& reader : {sut, pickle_reader::graph_only()}) {
    auto opened = reader.read_tuple(create, 2);
    REQUIRE(opened);
    CHECK(same((*opened)[2], json::array({"dict"})));
    CHECK((*opened)[1] == "create");
    CHECK(same((*opened)[3], json::object()));
    // An item that is no tuple stays as it is.
    auto list_args = reader.read_tuple("\x80\x04N]\x94K\x01" "a\x86."s, 1);
    REQUIRE(list_args);
    CHECK(same((*list_args)[1], json::array({1})));
    // Nested tuples stay tagged, inside the item and elsewhere.
    // (((None, 1),), (2,))
    auto nested = reader.read_tuple("\x80\x04NK\x01\x86\x85K\x02\x85\x86."s, 0);
    REQUIRE(nested);
    CHECK(same((*nested)[0], json::array({py_tuple(nullptr, 1)})));
    CHECK(same((*nested)[1], py_tuple(2)));
  }
  // Another value is no tuple: none, not an error.
  CHECK_FALSE(sut.read_tuple("\x80\x04]\x94."));
  CHECK_FALSE(sut.read_tuple("\x80\x04N."));
  // The empty tuple has no items.
  auto empty = sut.read_tuple("\x80\x04).");
  REQUIRE(empty);
  CHECK(empty->empty());
}

TEST_CASE("A flat pickle is read in one pass, as the graph reader reads it", "[python]") {
  pickle_limits limits;
  flat_pickle_reader flat{limits};
  auto graph = pickle_reader::graph_only();
  // ('7f12ab', '__setitem__', ('k3', 5), {}) as a 3.11 client sends it.
  auto setitem = "\x80\x04\x95&\0\0\0\0\0\0\0(\x8c\x06""7f12ab\x94\x8c\x0b__setitem__\x94"
                 "\x8c\x02k3\x94K\x05\x86\x94}\x94t\x94."s;
  auto items = flat.read(setitem);
  REQUIRE(items);
  CHECK(items->tuple);
  CHECK(same(json(items->items), py_payload(graph.read(setitem))));
  CHECK(same(json(items->items), json::array({"7f12ab", "__setitem__", py_tuple("k3", 5),
                                              json::object()})));
  // What it does not know it leaves to the graph reader: a memo fetch, a
  // global, a dict with items, a refusal.
  CHECK_FALSE(flat.read("\x80\x04\x8c\x02\x61\x62\x94h\0\x86."s));
  CHECK_FALSE(flat.read("\x80\x04\x8c\x08\x62uiltins\x8c\x04\x65val\x93."s));
  CHECK_FALSE(flat.read("\x80\x04}(K\x01K\x02u."s));
  CHECK_FALSE(flat.read("\x80\x04NN."s));
  CHECK_FALSE(flat.read("\x80\x04\x8c\x02\xff\xfe."s));
  // Every CPython fixture and every written value: the same value either
  // way, and most of them flat.
  pickle_reader reader;
  pickle_writer writer;
  std::size_t flat_ones = 0, all = 0;
  auto compare = [&](const std::string& pickle) {
    ++all;
    auto expected = graph.read(pickle);
    CHECK(same(reader.read(pickle), expected));
    if (auto f = flat.read(pickle)) {
      ++flat_ones;
      CHECK(same(f->tuple ? py_tuple_of(f->items) : f->value, expected));
    }
  };
  for (const auto& f : fixtures) {
    INFO(f.name << " at protocol " << f.protocol);
    compare(unhex(f.hex));
  }
  for (const auto& [name, value] : pickle_values()) {
    INFO(name);
    compare(writer.write(value));
  }
  CHECK(flat_ones > all / 4);
}

TEST_CASE("The one-pass reader accepts nothing the graph reader would read otherwise",
          "[python][hostile]") {
  // Random flat values, nested up to 5 deep with up to 5 items, written in
  // each of the ways CPython writes them, some with a byte changed, read
  // with the default limits and with small ones (so that every limit is
  // met at its edge): what the one-pass reader reads, the graph reader reads
  // the same; what the graph reader refuses, it never reads.
  std::mt19937_64 rng(4321);
  const std::string scalars[] = {"N", "\x88", "\x89", "K\x07", "J\xff\xff\xff\xff", "M\x01\x02",
                                 "\x8a\x01\x80", "\x8a\x02\x01\xff", "\x8a\0",
                                 "\x8a\x09\x01\x02\x03\x04\x05\x06\x07\x08\x09", "\x8c\x02k3",
                                 "\x8c\x02\xc3\xa9", "\x8c\x01\xff", "X\x01\0\0\0x", "C\x02\x01\x02",
                                 "G\x3f\xf0\0\0\0\0\0\0", "}", "h\0"};
  std::function<std::string(int)> value = [&](int depth) -> std::string {
    std::string out;
    auto pick = depth >= 5 ? 0 : rng() % 4;
    auto n = rng() % 6;
    auto items = [&] {
      std::string all;
      for (std::size_t i = 0; i < n; ++i)
        all += value(depth + 1);
      return all;
    };
    if (pick <= 1) {
      out = scalars[rng() % std::size(scalars)];
    } else if (pick == 2) { // a tuple: EMPTY_TUPLE, TUPLE1-3 or MARK ... TUPLE
      if (n == 0)
        out = ")";
      else if (n <= 3 && rng() % 2 == 0)
        out = items() + static_cast<char>(0x84 + n);
      else
        out = "(" + items() + "t";
    } else { // a list: MARK ... LIST, or EMPTY_LIST then APPEND(S)
      switch (rng() % 3) {
        case 0: out = "(" + items() + "l"; break;
        case 1: out = "]" + (n > 0 ? "(" + items() + "e" : std::string{}); break;
        default:
          out = "]";
          for (std::size_t i = 0; i < n; ++i)
            out += value(depth + 1) + "a";
      }
    }
    if (rng() % 3 == 0)
      out += "\x94";
    return out;
  };
  // The defaults, then each limit small on its own.
  std::vector<pickle_limits> limit_sets(7);
  limit_sets[1].max_depth = 3;
  limit_sets[2].max_items = 3;
  limit_sets[3].max_values = 12;
  limit_sets[4].max_memo = 2;
  limit_sets[5].max_int_bytes = 1;
  limit_sets[6].max_size = 40;
  std::size_t flat_read = 0, graph_read = 0, disagreed = 0, total = 0;
  for (const auto& limits : limit_sets) {
    flat_pickle_reader flat{limits};
    auto graph = pickle_reader::graph_only(limits);
    for (int i = 0; i < 6000; ++i) {
      auto input = "\x80\x04" + value(0) + ".";
      if (rng() % 5 == 0)
        input[2 + rng() % (input.size() - 2)] = static_cast<char>(rng() % 256);
      ++total;
      std::optional<json> expected;
      try {
        expected = graph.read(input);
        ++graph_read;
      } catch (const pickle_error&) {
        // refused: the one-pass reader must not read it
      }
      auto f = flat.read(input);
      if (!f)
        continue;
      ++flat_read;
      if (!expected || !same(f->tuple ? py_tuple_of(f->items) : f->value, *expected))
        ++disagreed;
      // With item 1 untagged, as the graph reader's read_tuple gives it.
      auto opened = flat.read(input, 1);
      auto graph_opened = graph.read_tuple(input, 1);
      if (!opened || opened->tuple != graph_opened.has_value()
          || (graph_opened && !same(json(opened->items), json(*graph_opened))))
        ++disagreed;
    }
  }
  INFO(flat_read << " read in one pass, " << graph_read << " by the graph reader, of " << total);
  CHECK(flat_read > total / 3);
  CHECK(graph_read > flat_read);
  CHECK(disagreed == 0);
}

TEST_CASE("A request's items are refused as read() refuses them", "[python][hostile]") {
  auto refused = [](const std::string& pickle, pickle_limits limits = {}) -> std::string {
    try {
      auto items = pickle_reader{limits}.read_tuple(pickle);
      FAIL("read, not refused: " << (items ? describe(json(*items)) : "none"));
    } catch (const pickle_error& e) {
      return e.what();
    }
    return {};
  };
  // ('x', os.system)
  CHECK_THAT(refused("\x80\x04\x8c\x01x\x8c\x02os\x8c\x06system\x93\x86."s),
             Catch::Contains("'os.system'"));
  // l = []; l.append((l,)); (l,): a cycle inside the request's tuple.
  CHECK_THAT(refused("\x80\x04]\x94h\0\x85\x94\x61\x85."s), Catch::Contains("cycle"));
  CHECK_THAT(refused("\x80\x04" + std::string(100000, '(') + "t."), Catch::Contains("max_depth"));
  // The tuple counts as a value, as read() counts it.
  pickle_limits small;
  small.max_values = 3;
  CHECK_NOTHROW(pickle_reader{small}.read_tuple("\x80\x04NN\x86."));
  CHECK_THAT(refused("\x80\x04NNN\x87.", small), Catch::Contains("max_values"));
  CHECK_THAT(refusal("\x80\x04NNN\x87.", small), Catch::Contains("max_values"));
  CHECK_THAT(refused("\x80\x04N\x85"), Catch::Contains("pickle refused")); // no STOP
  // Not a tuple, and not a value either: refused, not "no tuple".
  CHECK_THAT(refused("\x80\x04(\x8f]\x91."s), Catch::Contains("unhashable"));
}

// -- hostile pickles --------------------------------------------------------------

TEST_CASE("Globals outside the table are refused by name", "[python][hostile]") {
  CHECK_THAT(refusal("\x80\x02" "cos\nsystem\n" "X\x02\0\0\0id\x85R."),
             Catch::Contains("'os.system'"));
  CHECK_THAT(refusal("\x80\x04\x8c\x08" "builtins" "\x8c\x04" "eval" "\x93" "\x8c\x01" "1" "\x85R."),
             Catch::Contains("'builtins.eval'"));
  CHECK_THAT(refusal("\x80\x04\x8c\x08" "__main__" "\x8c\x03" "Foo" "\x93)\x81."),
             Catch::Contains("'__main__.Foo'"));
  CHECK_THAT(refusal("\x80\x02" "cposix\nsystem\n."), Catch::Contains("'posix.system'"));
  CHECK_THAT(refusal("\x80\x02" "c__builtin__\ngetattr\n."), Catch::Contains("getattr"));
  // Allowed names, used in ways the table does not allow.
  CHECK_THAT(refusal("\x80\x02" "c__builtin__\nset\n)\x81."), Catch::Contains("NEWOBJ"));
  CHECK_THAT(refusal("\x80\x04\x8c\x18multiprocessing.managers\x8c\x05Token\x93)R."),
             Catch::Contains("REDUCE of multiprocessing.managers.Token"));
  CHECK_THAT(refusal("\x80\x02]N\x62."), Catch::Contains("BUILD of a list"));
  CHECK_THAT(refusal("\x80\x02" "c__builtin__\nset\n."), Catch::Contains("as a value"));
  CHECK_THAT(refusal("\x80\x02" "c_codecs\nencode\nX\x01\0\0\0" "aX\x05\0\0\0" "utf_8\x86R."),
             Catch::Contains("encoding"));
  CHECK_THAT(refusal("\x80\x02" "cos\n"), Catch::Contains("GLOBAL"));
}

TEST_CASE("Bad memo indices and a bad stack are refused", "[python][hostile]") {
  CHECK_THAT(refusal("\x80\x02h\x05."), Catch::Contains("memo key 5"));
  CHECK_THAT(refusal("\x80\x02j\xff\xff\xff\xff."), Catch::Contains("memo key 4294967295"));
  CHECK_THAT(refusal("\x80\x04\x94."), Catch::Contains("underflow"));
  CHECK_THAT(refusal("\x80\x02N(a."), Catch::Contains("underflow"));
  CHECK_THAT(refusal("\x80\x02NN."), Catch::Contains("STOP"));
  CHECK_THAT(refusal("\x80\x02."), Catch::Contains("STOP"));
  CHECK_THAT(refusal("\x80\x02Na."), Catch::Contains("APPEND"));
  CHECK_THAT(refusal("\x80\x02)Na."), Catch::Contains("APPEND on a tuple"));
  CHECK_THAT(refusal("\x80\x02t."), Catch::Contains("without a MARK"));
  CHECK_THAT(refusal("\x80\x02N.N"), Catch::Contains("after STOP"));
  CHECK_THAT(refusal("\x80\x06N."), Catch::Contains("protocol 6"));
  CHECK_THAT(refusal("\x80\x02\xff"), Catch::Contains("0xff"));
  CHECK_THAT(refusal("\x80\x02X\x02\0\0\0\xc3\x28."), Catch::Contains("UTF-8"));
  CHECK_THAT(refusal("\x80\x02}]Ns."), Catch::Contains("unhashable type: 'list'"));
}

TEST_CASE("A pickle cut at any byte is refused", "[python][hostile]") {
  pickle_reader sut;
  for (const auto& f : fixtures) {
    if (f.protocol != 4 && f.protocol != 2)
      continue;
    auto pickle = unhex(f.hex);
    for (std::size_t n = 0; n < pickle.size(); ++n) {
      INFO(f.name << " at protocol " << f.protocol << " cut to " << n << " bytes");
      CHECK_THROWS_AS(sut.read(pickle.substr(0, n)), pickle_error);
    }
  }
}

TEST_CASE("Huge announced lengths are refused without allocating them", "[python][hostile]") {
  auto started = std::chrono::steady_clock::now();
  CHECK_THAT(refusal("\x80\x04\x8d\xff\xff\xff\xff\xff\xff\xff\x7fxx"), Catch::Contains("truncated"));
  CHECK_THAT(refusal("\x80\x04\x8e\xff\xff\xff\xff\xff\xff\xff\xffxx"), Catch::Contains("truncated"));
  CHECK_THAT(refusal("\x80\x04\x96\0\0\0\0\0\0\0\x01xx"), Catch::Contains("truncated"));
  CHECK_THAT(refusal("\x80\x04X\xff\xff\xff\xffxx"), Catch::Contains("truncated"));
  CHECK_THAT(refusal("\x80\x04\x95\xff\xff\xff\xff\xff\xff\xff\xffN."), Catch::Contains("truncated"));
  CHECK_THAT(refusal("\x80\x04\x8b\xff\xff\xff\x7f"), Catch::Contains("max_int_bytes"));
  CHECK_THAT(refusal("\x80\x04\x8b\xff\xff\xff\xff"), Catch::Contains("negative"));
  // Tolerance: each refusal is a bounds check; a second for all is generous
  // on a loaded machine, and far below allocating 2^63 bytes.
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(1));
}

TEST_CASE("Deep nesting is refused", "[python][hostile]") {
  CHECK_THAT(refusal("\x80\x04" + std::string(100000, '(') + "."), Catch::Contains("max_depth"));
  CHECK_THAT(refusal("\x80\x04" + repeat("(]", 100000) + "."), Catch::Contains("max_depth"));
  CHECK_THAT(refusal("\x80\x04N" + std::string(100000, '\x85') + "."), Catch::Contains("max_depth"));
  // Lists filled after being put in their parent, 100k deep:
  // ] LONG_BINPUT i POP, then LONG_BINGET i-1, LONG_BINGET i, APPEND, POP.
  auto chain = "\x80\x04]r"s + std::string(4, '\0') + "0";
  for (std::uint32_t i = 1; i < 100000; ++i) {
    std::uint32_t up = i - 1;
    std::string index(reinterpret_cast<const char*>(&i), 4);
    std::string parent(reinterpret_cast<const char*>(&up), 4);
    chain += "]r" + index + "0j" + parent + "j" + index + "a0";
  }
  chain += "j" + std::string(4, '\0') + ".";
  CHECK_THAT(refusal(chain), Catch::Contains("max_depth"));
  // Within the limit, a deep value reads.
  CHECK_NOTHROW(pickle_reader{}.read("\x80\x04N" + std::string(200, '\x85') + "."));
}

TEST_CASE("A value that contains itself is refused", "[python][hostile]") {
  CHECK_THAT(refusal("\x80\x04]\x94h\0a."), Catch::Contains("cycle"));
  CHECK_THAT(refusal("\x80\x04}\x94K\x01h\0\x85s."), Catch::Contains("cycle")); // d[1] = (d,)
  CHECK_THAT(refusal("\x80\x04]\x94]\x94h\0a\x61."), Catch::Contains("cycle")); // a=[b], b=[a]
}

TEST_CASE("Memo keys near and far are kept apart and counted together", "[python][hostile]") {
  pickle_reader sut;
  // MEMOIZE numbers from 0; BINGET reads those back: K 7, MEMOIZE, POP,
  // K 8, MEMOIZE, POP, BINGET 0, BINGET 1, TUPLE2.
  CHECK(sut.read(unhex("8004" "4b07" "94" "30" "4b08" "94" "30" "6800" "6801" "86" "2e"))
        == py_tuple(7, 8));
  // A far LONG_BINPUT key, as a hostile pickle may send: kept and read
  // back, and nothing is allocated up to it.
  CHECK(sut.read(unhex("8002" "4b05" "72ffffff7f" "30" "6affffff7f" "2e")) == 5);
  // A key within the near range, above the ones put: the gap is undefined.
  CHECK_THAT(refusal(unhex("8002" "4b05" "7164" "30" "6863" "2e")),
             Catch::Contains("memo key 99"));
  // Putting a key again replaces it, and is not a second entry.
  pickle_limits two;
  two.max_memo = 2;
  CHECK(pickle_reader{two}.read(unhex("8002" "4b01" "7103" "30" "4b02" "7103" "30" "6803" "2e"))
        == 2);
  CHECK(pickle_reader{two}.read(unhex("8002" "4b01" "7103" "30" "4b02" "7103" "30" "4b03" "7104"
                                      "30" "6804" "2e"))
        == 3);
  // Near and far keys count against one max_memo.
  CHECK_THAT(refusal(unhex("8002" "4b01" "7100" "4b02" "7200000100" "4b03" "7101" "2e"), two),
             Catch::Contains("max_memo"));
}

TEST_CASE("Each limit refuses what is over it and names itself", "[python][hostile]") {
  pickle_limits small;
  small.max_size = 8;
  CHECK_THAT(refusal("\x80\x04]" + std::string(10, 'N') + ".", small), Catch::Contains("limit of 8"));
  small = {};
  small.max_memo = 2;
  CHECK_THAT(refusal("\x80\x04N\x94N\x94N\x94\x30\x30.", small), Catch::Contains("max_memo"));
  small = {};
  small.max_int_bytes = 16;
  CHECK_THAT(refusal("\x80\x04\x8a\x11" + std::string(17, '\x01') + ".", small),
             Catch::Contains("max_int_bytes"));
  CHECK_NOTHROW(pickle_reader{small}.read("\x80\x04\x8a\x10" + std::string(16, '\x01') + "."));
  small = {};
  small.max_items = 3;
  CHECK_THAT(refusal("\x80\x04](NNNNe.", small), Catch::Contains("max_items"));
  CHECK_THAT(refusal("\x80\x04}(NNNNNNNNu.", small), Catch::Contains("max_items"));
  small = {};
  small.max_values = 100;
  CHECK_THAT(refusal("\x80\x04](" + std::string(200, 'N') + "e.", small),
             Catch::Contains("max_values"));
  // A memo entry used twice at every level: 2^40 values from 300 bytes.
  auto laughs = "\x80\x04]\x94" "0"s;
  for (int i = 0; i < 40; ++i) {
    std::string get = "h" + std::string(1, static_cast<char>(i));
    laughs += get + get + "\x86\x94" "0";
  }
  laughs += "h\x28.";
  CHECK_THAT(refusal(laughs), Catch::Contains("max_values"));
}

TEST_CASE("Random and mutated bytes are read or refused, never anything else", "[python][hostile]") {
  std::mt19937_64 rng(1234); // fixed seed: the same inputs in every run
  const std::string opcodes = "()012NJKM\x8a\x8bG\x8cX\x8d""CB\x8e\x96\x85\x86\x87t]lae}dsu"
                              "\x8f\x90\x91\x94qrhjc\x93R\x81.\x80\x95";
  pickle_reader sut;
  std::size_t read = 0, refused = 0, disagreed = 0;
  auto attempt = [&](const std::string& input) {
    bool whole = false;
    json value;
    try {
      value = sut.read(input);
      whole = true;
      ++read;
    } catch (const pickle_error&) {
      ++refused;
    }
    // A request's reading (read_tuple) reads and refuses the same inputs,
    // and gives a tuple's items as read() gives the tuple.
    try {
      auto items = sut.read_tuple(input);
      if (!whole || (items && !same(json(*items), py_payload(value)))
          || (!items && is_py(value, "tuple")))
        ++disagreed;
    } catch (const pickle_error&) {
      if (whole)
        ++disagreed;
    }
    // And with its item 0 as its items, when that is a tuple.
    try {
      auto items = sut.read_tuple(input, 0);
      json expected = whole ? py_payload(value) : json{};
      if (whole && is_py(value, "tuple") && !expected.empty() && is_py(expected[0], "tuple"))
        expected[0] = py_payload(expected[0]);
      if (!whole || (items && !same(json(*items), expected)) || (!items && is_py(value, "tuple")))
        ++disagreed;
    } catch (const pickle_error&) {
      if (whole)
        ++disagreed;
    }
  };
  for (int i = 0; i < 20000; ++i) {
    std::string input = "\x80\x04";
    auto n = rng() % 48;
    for (std::size_t k = 0; k < n; ++k)
      input += (rng() % 4 == 0) ? static_cast<char>(rng() % 256) : opcodes[rng() % opcodes.size()];
    input += '.';
    attempt(input);
  }
  for (const auto& f : fixtures) {
    auto pickle = unhex(f.hex);
    for (int i = 0; i < 50; ++i) {
      auto mutated = pickle;
      for (int k = 0; k < 3; ++k)
        mutated[rng() % mutated.size()] = static_cast<char>(rng() % 256);
      attempt(mutated);
    }
  }
  CHECK(read + refused == 20000 + 50 * std::size(fixtures));
  CHECK(refused > 0);
  CHECK(disagreed == 0);
}

// -- the writer's refusals ----------------------------------------------------------

TEST_CASE("The writer refuses what the table does not describe", "[python]") {
  pickle_writer sut;
  CHECK_THROWS_AS(sut.write(json{{"__py__", "int"}, {"v", "12x"}}), ValueError);
  CHECK_THROWS_AS(sut.write(json{{"__py__", "tuple"}, {"v", 1}}), TypeError);
  CHECK_THROWS_AS(sut.write(json{{"__py__", "nope"}, {"v", 1}}), TypeError);
  CHECK_THROWS_AS(sut.write(py_exception("os.system", {})), ValueError);
  CHECK_THROWS_AS(sut.write(py_proxy("Evil", py_token("dict", nullptr, "1"))), ValueError);
  CHECK_THROWS_AS(sut.write(json{{"__py__", "set"}, {"v", json::array({json::array()})}}), TypeError);
  json deep = 1;
  for (int i = 0; i < 300; ++i)
    deep = json::array({deep});
  CHECK_THROWS_AS(sut.write(deep), ValueError);
  std::string out = "kept";
  CHECK_THROWS(sut.write(json::array({1, json{{"__py__", "int"}, {"v", "x"}}}), out));
  CHECK(out == "kept");
}

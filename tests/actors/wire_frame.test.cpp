// wire_frame's own MessagePack codec: the same bytes as nlohmann's
// to_msgpack, the same values back, the same verdict on corrupted or cut
// bodies, and the nesting limit.

#include <catch2/catch.hpp>

#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <mpactor/actors/server/python_connection.hpp>
#include <mpactor/actors/wire/wire_frame.hpp>

using namespace mpactor;

namespace {

std::mt19937_64 rng(42); // fixed seed: the same values in every run

json random_value(int depth) {
  switch (rng() % (depth > 4 ? 8 : 11)) {
    case 0:
      return nullptr;
    case 1:
      return static_cast<bool>(rng() & 1);
    case 2:
      return static_cast<std::int64_t>(rng() >> (rng() % 64)) * ((rng() & 1) ? -1 : 1);
    case 3:
      return static_cast<std::uint64_t>(rng() >> (rng() % 64));
    case 4: {
      const double choices[] = {0.5, 1e300, -3.25, 1.0 / 3, 1e-40, 3.4e38, 7.0};
      return choices[rng() % 7];
    }
    case 5: {
      std::string s(rng() % 300 < 290 ? rng() % 40 : rng() % 70000, 'x');
      for (auto& c : s)
        c = static_cast<char>(rng());
      return s;
    }
    case 6:
    case 7: {
      std::vector<std::uint8_t> b(rng() % 20);
      for (auto& c : b)
        c = static_cast<std::uint8_t>(rng());
      if (rng() & 1)
        return json::binary(b, static_cast<std::uint8_t>(rng() % 256));
      return json::binary(b);
    }
    case 8:
    case 9: {
      json a = json::array();
      for (int i = static_cast<int>(rng() % 20); i > 0; --i)
        a.push_back(random_value(depth + 1));
      return a;
    }
    default: {
      json o = json::object();
      for (int i = static_cast<int>(rng() % 20); i > 0; --i)
        o[std::to_string(rng() % 30)] = random_value(depth + 1);
      return o;
    }
  }
}

// Equality that also tells floats by their bits and binaries by subtype.
// Whether `a` (mpactor's decoding) is `b` (nlohmann's), kinds included;
// except that non-negative ints that fit 64 signed bits decode as
// number_integer where nlohmann gives number_unsigned (the canonical form a
// Python client's ints have: json hashes the two kinds apart).
bool same(const json& a, const json& b) {
  if (b.is_number_unsigned()) {
    bool fits = b.get<std::uint64_t>()
                <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    return a.type() == (fits ? json::value_t::number_integer : json::value_t::number_unsigned)
           && a == b;
  }
  if (a.type() != b.type())
    return false;
  if (a.is_array() || a.is_object()) {
    if (a.size() != b.size())
      return false;
    for (auto i = a.begin(), j = b.begin(); i != a.end(); ++i, ++j)
      if ((a.is_object() && i.key() != j.key()) || !same(*i, *j))
        return false;
    return true;
  }
  if (a.is_binary())
    return a.get_binary() == b.get_binary()
           && a.get_binary().has_subtype() == b.get_binary().has_subtype();
  if (a.is_number_float()) {
    double x = a, y = b;
    return std::memcmp(&x, &y, sizeof x) == 0;
  }
  return a == b;
}

constexpr std::size_t body_at = 4 + wire_frame::header_size + 1; // size, header, method "m"

} // namespace

TEST_CASE("wire_frame bodies are nlohmann's MessagePack and decode to the same values") {
  for (int it = 0; it < 3000; ++it) {
    wire_frame f;
    f.kind = frame_kind::reply;
    f.request = rng();
    f.object = rng();
    f.method = "m";
    f.body = random_value(0);
    std::string out;
    f.encode(out);
    std::vector<std::uint8_t> ref;
    json::to_msgpack(f.body, ref);
    REQUIRE(out.substr(body_at) == std::string(ref.begin(), ref.end()));
    auto back = wire_frame::decode(out.data() + 4, out.size() - 4);
    CHECK(back.request == f.request);
    CHECK(back.object == f.object);
    REQUIRE(same(back.body, json::from_msgpack(ref)));
    // A corrupted or cut body: refused exactly when nlohmann refuses it.
    std::string bad = out;
    auto at = body_at + rng() % (out.size() - body_at);
    if (rng() & 1)
      bad[at] = static_cast<char>(rng());
    else
      bad.resize(at);
    if (bad.size() == body_at)
      continue; // no body at all: an empty frame body is json null here
    bool ref_ok = true, ok = true;
    json rv, mv;
    try {
      rv = json::from_msgpack(bad.begin() + body_at, bad.end());
    } catch (const json::exception&) {
      ref_ok = false;
    }
    try {
      mv = wire_frame::decode(bad.data() + 4, bad.size() - 4).body;
    } catch (const protocol_error&) {
      ok = false;
    }
    REQUIRE(ok == ref_ok);
    if (ok)
      REQUIRE(same(mv, rv));
  }
}

TEST_CASE("wire_frame accepts 256 nested arrays and refuses 257") {
  auto decode_nested = [](int depth) {
    std::string frame(wire_frame::header_size, '\0');
    frame[0] = static_cast<char>(frame_kind::reply);
    frame.append(static_cast<std::size_t>(depth), static_cast<char>(0x91)); // [ ... ]
    frame.push_back(static_cast<char>(0xc0));                              // null
    return wire_frame::decode(frame.data(), frame.size());
  };
  auto deepest = json(nullptr);
  for (int i = 0; i < 256; ++i)
    deepest = json::array({deepest});
  CHECK(decode_nested(256).body == deepest);
  CHECK_THROWS_AS(decode_nested(257), protocol_error);
  CHECK_THROWS_AS(decode_nested(100000), protocol_error);
}

TEST_CASE("Python frames: a 4-byte length, or -1 and 8 bytes past 31 bits") {
  using mpactor::python_connection;
  CHECK(python_connection::header(0) == std::string(4, '\0'));
  CHECK(python_connection::header(0x12345678) == "\x12\x34\x56\x78");
  CHECK(python_connection::header(0x7fffffff) == "\x7f\xff\xff\xff");
  CHECK(python_connection::header(0x80000000)
        == std::string("\xff\xff\xff\xff\0\0\0\0\x80\0\0\0", 12));
  CHECK(python_connection::header(0x0102030405060708)
        == std::string("\xff\xff\xff\xff\x01\x02\x03\x04\x05\x06\x07\x08", 12));
}

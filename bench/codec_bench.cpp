// bench_codec: the wire's MessagePack codec (wire_frame.cpp, a body as
// MessagePack of an nlohmann json) side by side with msgpack-c (msgpack-cxx,
// header-only) doing the same job, and with nlohmann's own to/from_msgpack.
//
//   encode  a wire_frame (header + body) appended to a reused buffer
//   decode  the bytes after the size field back into a wire_frame
//
// msgpack-c's side does what the server would need from it: the same header,
// the json body walked into a msgpack::packer (the same bytes: float 32 when
// lossless, as ours) and, to decode, msgpack::unpack with an unpack_limit
// (depth 256, sizes bounded by the frame) whose zone references the frame's
// bytes, then the msgpack::object walked into a json. nlohmann's row is
// json::to_msgpack / json::from_msgpack on the body with the same header.
//
// Bodies: a dict set call's args, a get call's args, a get's reply, a set
// of a 1 KiB string, a 1,000-element list of ints, nested dicts (4 levels of
// 4 keys, 256 leaves). ns per frame: medians of 7 interleaved rounds of
// enough frames to take ~20 ms each. Every codec's bytes are checked against
// ours and round-tripped first.
//
// Run: build/bench/bench_codec

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <msgpack.hpp>

#include <mpactor/mpactor.hpp>

#if __has_include(<mpactor/actors/wire/wire_frame.hpp>)
#include <mpactor/actors/wire/wire_frame.hpp>
#else
#include <mpactor/actors/wire_frame.hpp>
#endif

#include "side_by_side.hpp"

namespace {

using bench::clock_type;
using bench::median;
using bench::seconds_since;
using mpactor::json;
using mpactor::wire_frame;

// --- the frame header, as wire_frame.cpp --------------------------------------

void put_u64(std::string& out, std::uint64_t x) {
  for (int i = 0; i < 8; ++i)
    out.push_back(static_cast<char>((x >> (8 * i)) & 0xff));
}

std::uint64_t get_u64(const unsigned char* p) {
  std::uint64_t x = 0;
  for (int i = 7; i >= 0; --i)
    x = (x << 8) | p[i];
  return x;
}

template <class Body>
void encode_with(const wire_frame& f, std::string& out, Body&& body) {
  auto at = out.size();
  out.append(4, '\0');
  out.push_back(static_cast<char>(f.kind));
  put_u64(out, f.request);
  put_u64(out, f.object);
  out.push_back(static_cast<char>(f.method.size()));
  out += f.method;
  body(out);
  auto size = static_cast<std::uint32_t>(out.size() - at - 4);
  for (int i = 0; i < 4; ++i)
    out[at + i] = static_cast<char>((size >> (8 * i)) & 0xff);
}

template <class Body>
wire_frame decode_with(const char* data, std::size_t size, Body&& body) {
  if (size < wire_frame::header_size)
    throw mpactor::protocol_error("truncated frame header");
  auto* p = reinterpret_cast<const unsigned char*>(data);
  wire_frame f;
  if (p[0] < 1 || p[0] > 6)
    throw mpactor::protocol_error("unknown frame kind");
  f.kind = static_cast<mpactor::frame_kind>(p[0]);
  f.request = get_u64(p + 1);
  f.object = get_u64(p + 9);
  std::size_t mlen = p[17];
  if (size < wire_frame::header_size + mlen)
    throw mpactor::protocol_error("truncated method name");
  f.method.assign(data + wire_frame::header_size, mlen);
  std::size_t at = wire_frame::header_size + mlen;
  if (at < size)
    f.body = body(data + at, size - at);
  return f;
}

// --- msgpack-c <-> json ----------------------------------------------------------

/// msgpack::packer's stream: appends to the frame's buffer.
struct string_stream {
  std::string& out;
  void write(const char* p, std::size_t n) { out.append(p, n); }
};

void pack(msgpack::packer<string_stream>& pk, const json& j) {
  switch (j.type()) {
    case json::value_t::null:
      pk.pack_nil();
      break;
    case json::value_t::boolean:
      j.get<bool>() ? pk.pack_true() : pk.pack_false();
      break;
    case json::value_t::number_integer:
      pk.pack_int64(j.get_ref<const json::number_integer_t&>());
      break;
    case json::value_t::number_unsigned:
      pk.pack_uint64(j.get_ref<const json::number_unsigned_t&>());
      break;
    case json::value_t::number_float: {
      double d = j.get_ref<const json::number_float_t&>();
      if (d >= static_cast<double>(std::numeric_limits<float>::lowest())
          && d <= static_cast<double>(std::numeric_limits<float>::max())
          && static_cast<double>(static_cast<float>(d)) == d)
        pk.pack_float(static_cast<float>(d));
      else
        pk.pack_double(d);
      break;
    }
    case json::value_t::string: {
      auto& s = j.get_ref<const json::string_t&>();
      pk.pack_str(static_cast<uint32_t>(s.size()));
      pk.pack_str_body(s.data(), static_cast<uint32_t>(s.size()));
      break;
    }
    case json::value_t::array:
      pk.pack_array(static_cast<uint32_t>(j.size()));
      for (auto& x : j.get_ref<const json::array_t&>())
        pack(pk, x);
      break;
    case json::value_t::object:
      pk.pack_map(static_cast<uint32_t>(j.size()));
      for (auto& [k, v] : j.get_ref<const json::object_t&>()) {
        pk.pack_str(static_cast<uint32_t>(k.size()));
        pk.pack_str_body(k.data(), static_cast<uint32_t>(k.size()));
        pack(pk, v);
      }
      break;
    case json::value_t::binary: {
      auto& b = j.get_binary();
      pk.pack_bin(static_cast<uint32_t>(b.size()));
      pk.pack_bin_body(reinterpret_cast<const char*>(b.data()), static_cast<uint32_t>(b.size()));
      break;
    }
    case json::value_t::discarded:
      break;
  }
}

json to_json(const msgpack::object& o) {
  switch (o.type) {
    case msgpack::type::NIL:
      return nullptr;
    case msgpack::type::BOOLEAN:
      return o.via.boolean;
    case msgpack::type::POSITIVE_INTEGER:
      return o.via.u64;
    case msgpack::type::NEGATIVE_INTEGER:
      return o.via.i64;
    case msgpack::type::FLOAT32:
    case msgpack::type::FLOAT64:
      return o.via.f64;
    case msgpack::type::STR:
      return json::string_t(o.via.str.ptr, o.via.str.size);
    case msgpack::type::BIN:
      return json::binary(std::vector<std::uint8_t>(o.via.bin.ptr, o.via.bin.ptr + o.via.bin.size));
    case msgpack::type::ARRAY: {
      json j = json::array();
      auto& a = j.get_ref<json::array_t&>();
      a.reserve(o.via.array.size);
      for (uint32_t i = 0; i < o.via.array.size; ++i)
        a.push_back(to_json(o.via.array.ptr[i]));
      return j;
    }
    case msgpack::type::MAP: {
      json j = json::object();
      auto& m = j.get_ref<json::object_t&>();
      for (uint32_t i = 0; i < o.via.map.size; ++i) {
        auto& kv = o.via.map.ptr[i];
        if (kv.key.type != msgpack::type::STR)
          throw mpactor::protocol_error("bad body: a map key that is not a string");
        m[json::string_t(kv.key.via.str.ptr, kv.key.via.str.size)] = to_json(kv.val);
      }
      return j;
    }
    case msgpack::type::EXT:
      return json::binary(
        std::vector<std::uint8_t>(o.via.ext.data(), o.via.ext.data() + o.via.ext.size),
        static_cast<std::uint8_t>(o.via.ext.type()));
  }
  return nullptr;
}

bool reference_all(msgpack::type::object_type, std::size_t, void*) {
  return true; // the frame's bytes outlive the object: converted at once
}

// --- the three codecs ----------------------------------------------------------

struct codec {
  const char* name;
  void (*encode)(const wire_frame&, std::string&);
  wire_frame (*decode)(const char*, std::size_t);
};

void ours_encode(const wire_frame& f, std::string& out) { f.encode(out); }
wire_frame ours_decode(const char* p, std::size_t n) { return wire_frame::decode(p, n); }

void msgpackc_encode(const wire_frame& f, std::string& out) {
  encode_with(f, out, [&](std::string& o) {
    string_stream s{o};
    msgpack::packer<string_stream> pk(s);
    pack(pk, f.body);
  });
}

wire_frame msgpackc_decode(const char* p, std::size_t n) {
  return decode_with(p, n, [](const char* b, std::size_t len) {
    auto lim = static_cast<std::size_t>(len);
    msgpack::unpack_limit limit(lim, lim / 2, lim, lim, lim, wire_frame::max_depth);
    std::size_t off = 0;
    auto handle = msgpack::unpack(b, len, off, reference_all, nullptr, limit);
    if (off != len)
      throw mpactor::protocol_error("trailing bytes after the body");
    return to_json(handle.get());
  });
}

void nlohmann_encode(const wire_frame& f, std::string& out) {
  encode_with(f, out, [&](std::string& o) { json::to_msgpack(f.body, o); });
}

wire_frame nlohmann_decode(const char* p, std::size_t n) {
  return decode_with(p, n, [](const char* b, std::size_t len) {
    return json::from_msgpack(b, b + len);
  });
}

const codec codecs[] = {
  {"mpactor (wire_frame.cpp)", ours_encode, ours_decode},
  {"msgpack-c 4.1.3 + json walk", msgpackc_encode, msgpackc_decode},
  {"nlohmann to/from_msgpack", nlohmann_encode, nlohmann_decode},
};
constexpr std::size_t n_codecs = sizeof(codecs) / sizeof(codecs[0]);

// --- bodies ------------------------------------------------------------------------

struct sample {
  const char* name;
  wire_frame frame;
};

std::vector<sample> samples() {
  auto call = [](std::string method, json body) {
    wire_frame f;
    f.kind = mpactor::frame_kind::call;
    f.request = 123456;
    f.object = 42;
    f.method = std::move(method);
    f.body = std::move(body);
    return f;
  };
  wire_frame reply;
  reply.kind = mpactor::frame_kind::reply;
  reply.request = 123456;
  reply.body = 12345;
  json list = json::array();
  for (int i = 0; i < 1000; ++i)
    list.push_back(i * 37);
  json nested = json::object();
  for (int a = 0; a < 4; ++a)
    for (int b = 0; b < 4; ++b)
      for (int c = 0; c < 4; ++c)
        for (int d = 0; d < 4; ++d)
          nested["a" + std::to_string(a)]["b" + std::to_string(b)]["c" + std::to_string(c)]
                ["d" + std::to_string(d)] = a * 64 + b * 16 + c * 4 + d;
  return {
    {"dict set {key: \"k17\", value: 12345}", call("set", {{"key", "k17"}, {"value", 12345}})},
    {"dict get {key: \"k17\"}", call("get", {{"key", "k17"}})},
    {"reply 12345", reply},
    {"set of a 1 KiB string", call("set", {{"key", "blob"}, {"value", std::string(1024, 'x')}})},
    {"set of a 1,000-int list", call("set", {{"key", "list"}, {"value", list}})},
    {"set of nested dicts (4x4x4x4)", call("set", {{"key", "tree"}, {"value", nested}})},
  };
}

volatile std::size_t sink; // keeps the results alive

/// ns per frame of `n` encodes of `f` into a reused buffer.
double time_encode(const codec& c, const wire_frame& f, long n) {
  std::string out;
  auto t0 = clock_type::now();
  for (long i = 0; i < n; ++i) {
    out.clear();
    c.encode(f, out);
  }
  double s = seconds_since(t0);
  sink = out.size();
  return s / n * 1e9;
}

/// ns per frame of `n` decodes of `bytes` (the size field skipped).
double time_decode(const codec& c, const std::string& bytes, long n) {
  auto t0 = clock_type::now();
  std::size_t total = 0;
  for (long i = 0; i < n; ++i) {
    auto f = c.decode(bytes.data() + 4, bytes.size() - 4);
    total += f.method.size();
  }
  double s = seconds_since(t0);
  sink = total;
  return s / n * 1e9;
}

} // namespace

int main() {
  constexpr int rounds = 7;
  auto all = samples();
  bool mismatch = false;

  std::printf("| %-38s | %6s | %-27s | %12s | %12s |\n", "frame (body)", "bytes", "codec",
              "encode ns", "decode ns");
  std::printf("|%s|%s|%s|%s|%s|\n", std::string(40, '-').c_str(), std::string(8, '-').c_str(),
              std::string(29, '-').c_str(), std::string(14, '-').c_str(),
              std::string(14, '-').c_str());
  for (auto& s : all) {
    std::string ref;
    codecs[0].encode(s.frame, ref);
    // Same bytes and a faithful round trip, for every codec.
    for (auto& c : codecs) {
      std::string out;
      c.encode(s.frame, out);
      auto back = c.decode(ref.data() + 4, ref.size() - 4);
      if (out != ref || back.body != s.frame.body || back.method != s.frame.method) {
        std::printf("MISMATCH: %s on %s\n", c.name, s.name);
        mismatch = true;
      }
    }
    // Enough frames for ~20 ms with our encoder.
    long n = 1000;
    for (;;) {
      double ns = time_encode(codecs[0], s.frame, n);
      if (ns * n >= 20e6 || n >= 10'000'000)
        break;
      n = static_cast<long>(n * std::max(2.0, 20e6 / (ns * n)));
    }
    std::vector<double> enc[n_codecs], dec[n_codecs];
    for (int r = 0; r < rounds; ++r)
      for (std::size_t c = 0; c < n_codecs; ++c) {
        enc[c].push_back(time_encode(codecs[c], s.frame, n));
        dec[c].push_back(time_decode(codecs[c], ref, n / 2 + 1));
      }
    for (std::size_t c = 0; c < n_codecs; ++c)
      std::printf("| %-38s | %6zu | %-27s | %12.0f | %12.0f |\n", c == 0 ? s.name : "",
                  ref.size(), codecs[c].name, median(enc[c]), median(dec[c]));
  }
  if (mismatch)
    std::printf("ERROR: a codec's bytes differ from ours or did not round-trip\n");
  return mismatch ? 1 : 0;
}

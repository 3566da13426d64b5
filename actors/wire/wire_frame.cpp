#include <mpactor/actors/wire/wire_frame.hpp>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

namespace mpactor {

namespace {

void put_u64(std::string& out, std::uint64_t x) {
  char b[8];
  for (int i = 0; i < 8; ++i)
    b[i] = static_cast<char>((x >> (8 * i)) & 0xff);
  out.append(b, 8);
}

std::uint64_t get_u64(const unsigned char* p) {
  std::uint64_t x = 0;
  for (int i = 7; i >= 0; --i)
    x = (x << 8) | p[i];
  return x;
}

// MessagePack, written and read here rather than by json::to_msgpack and
// json::from_msgpack: those go through a shared output adapter, a json made
// of every object key, a SAX parser with a stack of its own and a separate
// depth scan, a large share of a small call's cost. The bytes are the same as
// to_msgpack writes, and reading gives the same json as from_msgpack (which
// stays the reference: a map key that is not a string is refused, a
// repeated key keeps its last value).

void put_be(std::string& out, unsigned char tag, std::uint64_t x, int bytes) {
  char b[9];
  b[0] = static_cast<char>(tag);
  for (int i = 0; i < bytes; ++i)
    b[1 + i] = static_cast<char>((x >> (8 * (bytes - 1 - i))) & 0xff);
  out.append(b, static_cast<std::size_t>(bytes) + 1);
}

void put_unsigned(std::string& out, std::uint64_t x) {
  if (x < 128)
    out.push_back(static_cast<char>(x));
  else if (x <= 0xff)
    put_be(out, 0xcc, x, 1);
  else if (x <= 0xffff)
    put_be(out, 0xcd, x, 2);
  else if (x <= 0xffffffffu)
    put_be(out, 0xce, x, 4);
  else
    put_be(out, 0xcf, x, 8);
}

// A length-prefixed item: `small` (fix type) below `fix_limit`, else the
// 8/16/32-bit forms `t8`, `t16`, `t32` (t8 == 0: there is none).
void put_len(std::string& out, std::size_t n, unsigned char small, std::size_t fix_limit,
             unsigned char t8, unsigned char t16, unsigned char t32) {
  if (n < fix_limit)
    out.push_back(static_cast<char>(small | n));
  else if (t8 != 0 && n <= 0xff)
    put_be(out, t8, n, 1);
  else if (n <= 0xffff)
    put_be(out, t16, n, 2);
  else
    put_be(out, t32, n, 4);
}

void put_string(std::string& out, const std::string& s) {
  put_len(out, s.size(), 0xa0, 32, 0xd9, 0xda, 0xdb);
  out += s;
}

void pack(std::string& out, const json& j) {
  switch (j.type()) {
    case json::value_t::null:
      out.push_back(static_cast<char>(0xc0));
      break;
    case json::value_t::boolean:
      out.push_back(static_cast<char>(j.get_ref<const json::boolean_t&>() ? 0xc3 : 0xc2));
      break;
    case json::value_t::number_integer: {
      auto x = j.get_ref<const json::number_integer_t&>();
      if (x >= 0)
        put_unsigned(out, static_cast<std::uint64_t>(x));
      else if (x >= -32)
        out.push_back(static_cast<char>(x));
      else if (x >= INT8_MIN)
        put_be(out, 0xd0, static_cast<std::uint64_t>(x), 1);
      else if (x >= INT16_MIN)
        put_be(out, 0xd1, static_cast<std::uint64_t>(x), 2);
      else if (x >= INT32_MIN)
        put_be(out, 0xd2, static_cast<std::uint64_t>(x), 4);
      else
        put_be(out, 0xd3, static_cast<std::uint64_t>(x), 8);
      break;
    }
    case json::value_t::number_unsigned:
      put_unsigned(out, j.get_ref<const json::number_unsigned_t&>());
      break;
    case json::value_t::number_float: {
      double d = j.get_ref<const json::number_float_t&>();
      // As to_msgpack: float 32 when that loses nothing.
      if (d >= static_cast<double>(std::numeric_limits<float>::lowest())
          && d <= static_cast<double>(std::numeric_limits<float>::max())
          && static_cast<double>(static_cast<float>(d)) == d) {
        float f = static_cast<float>(d);
        std::uint32_t bits;
        std::memcpy(&bits, &f, 4);
        put_be(out, 0xca, bits, 4);
      } else {
        std::uint64_t bits;
        std::memcpy(&bits, &d, 8);
        put_be(out, 0xcb, bits, 8);
      }
      break;
    }
    case json::value_t::string:
      put_string(out, j.get_ref<const json::string_t&>());
      break;
    case json::value_t::array: {
      auto& a = j.get_ref<const json::array_t&>();
      put_len(out, a.size(), 0x90, 16, 0, 0xdc, 0xdd);
      for (auto& x : a)
        pack(out, x);
      break;
    }
    case json::value_t::object: {
      auto& o = j.get_ref<const json::object_t&>();
      put_len(out, o.size(), 0x80, 16, 0, 0xde, 0xdf);
      for (auto& [k, v] : o) {
        put_string(out, k);
        pack(out, v);
      }
      break;
    }
    case json::value_t::binary: {
      auto& b = j.get_binary();
      auto n = b.size();
      if (b.has_subtype()) {
        unsigned char fixed = n == 1 ? 0xd4 : n == 2 ? 0xd5 : n == 4 ? 0xd6
                              : n == 8 ? 0xd7 : n == 16 ? 0xd8 : 0;
        if (fixed != 0)
          out.push_back(static_cast<char>(fixed));
        else
          put_len(out, n, 0, 0, 0xc7, 0xc8, 0xc9);
        out.push_back(static_cast<char>(static_cast<std::int8_t>(b.subtype())));
      } else {
        put_len(out, n, 0, 0, 0xc4, 0xc5, 0xc6);
      }
      out.append(reinterpret_cast<const char*>(b.data()), n);
      break;
    }
    case json::value_t::discarded:
      break;
  }
}

[[noreturn]] void malformed() {
  throw protocol_error("malformed or too deeply nested body");
}

// Reads one value at `p`, nested `depth` deep; everything is checked
// against `end`, and a count of items beyond the bytes left is a lie (every
// item takes at least one byte), so nothing is allocated for it.
class unpacker {
public:
  unpacker(const unsigned char* p, const unsigned char* end) : p_(p), end_(end) {}

  json value(std::size_t depth) {
    if (p_ >= end_ || depth > wire_frame::max_depth)
      malformed();
    unsigned char t = *p_++;
    // Non-negative ints that fit 64 signed bits decode as number_integer,
    // the form a C++ int and a Python client's int have: json's hash tells
    // the two kinds apart, so a dict key 2 from a C++ client must be the
    // same kind as Python's 2 (python_value.hpp's canonical form).
    if (t <= 0x7f)
      return json::number_integer_t{t};
    if (t >= 0xe0)
      return json::number_integer_t{static_cast<std::int8_t>(t)};
    if ((t & 0xf0) == 0x80)
      return map(t & 0x0f, depth);
    if ((t & 0xf0) == 0x90)
      return array(t & 0x0f, depth);
    if ((t & 0xe0) == 0xa0)
      return text(t & 0x1f);
    switch (t) {
      case 0xc0: return nullptr;
      case 0xc2: return false;
      case 0xc3: return true;
      case 0xc4: return bytes(be(1), false);
      case 0xc5: return bytes(be(2), false);
      case 0xc6: return bytes(be(4), false);
      case 0xc7: return bytes(be(1), true);
      case 0xc8: return bytes(be(2), true);
      case 0xc9: return bytes(be(4), true);
      case 0xca: {
        auto bits = static_cast<std::uint32_t>(be(4));
        float f;
        std::memcpy(&f, &bits, 4);
        return json::number_float_t{f};
      }
      case 0xcb: {
        auto bits = be(8);
        double d;
        std::memcpy(&d, &bits, 8);
        return json::number_float_t{d};
      }
      case 0xcc: return json::number_integer_t(be(1));
      case 0xcd: return json::number_integer_t(be(2));
      case 0xce: return json::number_integer_t(be(4));
      case 0xcf: {
        auto x = be(8);
        if (x <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
          return json::number_integer_t(x);
        return json::number_unsigned_t{x};
      }
      case 0xd0: return json::number_integer_t{static_cast<std::int8_t>(be(1))};
      case 0xd1: return json::number_integer_t{static_cast<std::int16_t>(be(2))};
      case 0xd2: return json::number_integer_t{static_cast<std::int32_t>(be(4))};
      case 0xd3: return json::number_integer_t{static_cast<std::int64_t>(be(8))};
      case 0xd4: return bytes(1, true);
      case 0xd5: return bytes(2, true);
      case 0xd6: return bytes(4, true);
      case 0xd7: return bytes(8, true);
      case 0xd8: return bytes(16, true);
      case 0xd9: return text(be(1));
      case 0xda: return text(be(2));
      case 0xdb: return text(be(4));
      case 0xdc: return array(be(2), depth);
      case 0xdd: return array(be(4), depth);
      case 0xde: return map(be(2), depth);
      case 0xdf: return map(be(4), depth);
      default: malformed(); // 0xc1, never used
    }
  }

  bool done() const { return p_ == end_; }

private:
  std::size_t left() const { return static_cast<std::size_t>(end_ - p_); }

  std::uint64_t be(std::size_t n) {
    if (left() < n)
      malformed();
    std::uint64_t x = 0;
    for (std::size_t i = 0; i < n; ++i)
      x = (x << 8) | p_[i];
    p_ += n;
    return x;
  }

  json text(std::uint64_t n) {
    if (left() < n)
      malformed();
    json j(json::string_t(reinterpret_cast<const char*>(p_), static_cast<std::size_t>(n)));
    p_ += n;
    return j;
  }

  json bytes(std::uint64_t n, bool ext) {
    std::int8_t subtype = 0;
    if (ext)
      subtype = static_cast<std::int8_t>(be(1));
    if (left() < n)
      malformed();
    std::vector<std::uint8_t> data(p_, p_ + n);
    p_ += n;
    if (ext)
      return json::binary(std::move(data), static_cast<std::uint8_t>(subtype));
    return json::binary(std::move(data));
  }

  json array(std::uint64_t n, std::size_t depth) {
    if (n > left())
      malformed();
    json j = json::array();
    auto& a = j.get_ref<json::array_t&>();
    // Not more up front: a hostile count costs no more than the items sent.
    a.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(n, 4096)));
    for (std::uint64_t i = 0; i < n; ++i)
      a.push_back(value(depth + 1));
    return j;
  }

  json map(std::uint64_t n, std::size_t depth) {
    if (n > left() / 2)
      malformed();
    json j = json::object();
    auto& o = j.get_ref<json::object_t&>();
    for (std::uint64_t i = 0; i < n; ++i) {
      // The key counts as an item of this map (one level down), as the value.
      if (depth + 1 > wire_frame::max_depth || p_ >= end_)
        malformed();
      json::string_t key;
      unsigned char t = *p_++;
      std::uint64_t len;
      if ((t & 0xe0) == 0xa0)
        len = t & 0x1f;
      else if (t == 0xd9)
        len = be(1);
      else if (t == 0xda)
        len = be(2);
      else if (t == 0xdb)
        len = be(4);
      else
        throw protocol_error("bad body: a map key that is not a string");
      if (left() < len)
        malformed();
      key.assign(reinterpret_cast<const char*>(p_), static_cast<std::size_t>(len));
      p_ += len;
      o[std::move(key)] = value(depth + 1); // a repeated key: the last one wins
    }
    return j;
  }

  const unsigned char* p_;
  const unsigned char* end_;
};

} // namespace

void wire_frame::encode(std::string& out) const {
  if (method.size() > 255)
    throw protocol_error("method name longer than 255 bytes");
  auto at = out.size();
  out.append(4, '\0');
  out.push_back(static_cast<char>(kind));
  put_u64(out, request);
  put_u64(out, object);
  out.push_back(static_cast<char>(method.size()));
  out += method;
  if (!body.is_null() || kind == frame_kind::call || kind == frame_kind::reply
      || kind == frame_kind::error || kind == frame_kind::notify) {
    pack(out, body);
  }
  auto size = static_cast<std::uint32_t>(out.size() - at - 4);
  for (int i = 0; i < 4; ++i)
    out[at + i] = static_cast<char>((size >> (8 * i)) & 0xff);
}

wire_frame wire_frame::decode(const char* data, std::size_t size) {
  if (size < header_size)
    throw protocol_error("truncated frame header");
  auto* p = reinterpret_cast<const unsigned char*>(data);
  wire_frame f;
  auto kind = p[0];
  if (kind < 1 || kind > 6)
    throw protocol_error("unknown frame kind " + std::to_string(kind));
  f.kind = static_cast<frame_kind>(kind);
  f.request = get_u64(p + 1);
  f.object = get_u64(p + 9);
  std::size_t mlen = p[17];
  if (size < header_size + mlen)
    throw protocol_error("truncated method name");
  f.method.assign(data + header_size, mlen);
  auto* body = p + header_size + mlen;
  auto* end = p + size;
  if (body == end)
    return f; // empty body: null
  unpacker in{body, end};
  f.body = in.value(0);
  if (!in.done())
    malformed();
  return f;
}

} // namespace mpactor

#include <mpactor/actors/wire_frame.hpp>

#include <cstring>
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

// Walks a MessagePack value without building it, to bound its nesting
// depth before the (recursive) parser sees it. Returns false if malformed.
bool within_depth(const unsigned char*& p, const unsigned char* end,
                  std::size_t depth) {
  if (p >= end || depth > wire_frame::max_depth)
    return false;
  auto need = [&](std::size_t n) { return static_cast<std::size_t>(end - p) >= n; };
  auto be = [&](std::size_t n) {
    std::uint64_t x = 0;
    for (std::size_t i = 0; i < n; ++i)
      x = (x << 8) | p[i];
    return x;
  };
  unsigned char t = *p++;
  std::uint64_t items = 0;
  bool map = false;
  if (t <= 0x7f || t >= 0xe0 || t == 0xc0 || t == 0xc2 || t == 0xc3)
    return true;
  if ((t & 0xf0) == 0x80) { items = t & 0x0f; map = true; }
  else if ((t & 0xf0) == 0x90) { items = t & 0x0f; }
  else if ((t & 0xe0) == 0xa0) { std::size_t n = t & 0x1f; if (!need(n)) return false; p += n; return true; }
  else {
    std::size_t fixed = 0;
    switch (t) {
      case 0xcc: case 0xd0: fixed = 1; break;
      case 0xcd: case 0xd1: fixed = 2; break;
      case 0xca: case 0xce: case 0xd2: fixed = 4; break;
      case 0xcb: case 0xcf: case 0xd3: fixed = 8; break;
      case 0xd4: fixed = 2; break;
      case 0xd5: fixed = 3; break;
      case 0xd6: fixed = 5; break;
      case 0xd7: fixed = 9; break;
      case 0xd8: fixed = 17; break;
      default: break;
    }
    if (fixed) { if (!need(fixed)) return false; p += fixed; return true; }
    std::size_t len_bytes = 0;
    int kind = 0; // 1 = bytes, 2 = ext, 3 = array, 4 = map
    switch (t) {
      case 0xc4: case 0xd9: len_bytes = 1; kind = 1; break;
      case 0xc5: case 0xda: len_bytes = 2; kind = 1; break;
      case 0xc6: case 0xdb: len_bytes = 4; kind = 1; break;
      case 0xc7: len_bytes = 1; kind = 2; break;
      case 0xc8: len_bytes = 2; kind = 2; break;
      case 0xc9: len_bytes = 4; kind = 2; break;
      case 0xdc: len_bytes = 2; kind = 3; break;
      case 0xdd: len_bytes = 4; kind = 3; break;
      case 0xde: len_bytes = 2; kind = 4; break;
      case 0xdf: len_bytes = 4; kind = 4; break;
      default: return false;
    }
    if (!need(len_bytes)) return false;
    auto n = be(len_bytes);
    p += len_bytes;
    if (kind == 1 || kind == 2) {
      auto total = n + (kind == 2 ? 1 : 0);
      if (!need(total)) return false;
      p += total;
      return true;
    }
    items = n;
    map = kind == 4;
  }
  // Every item takes at least one byte: a count beyond what is left is a lie.
  if (items > static_cast<std::uint64_t>(end - p))
    return false;
  for (std::uint64_t i = 0; i < items * (map ? 2 : 1); ++i)
    if (!within_depth(p, end, depth + 1))
      return false;
  return true;
}

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
    std::vector<std::uint8_t> packed;
    json::to_msgpack(body, packed);
    out.append(reinterpret_cast<const char*>(packed.data()), packed.size());
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
  auto* scan = body;
  if (!within_depth(scan, end, 0) || scan != end)
    throw protocol_error("malformed or too deeply nested body");
  try {
    f.body = json::from_msgpack(body, end);
  } catch (const json::exception& e) {
    throw protocol_error(std::string{"bad body: "} + e.what());
  }
  return f;
}

} // namespace mpactor

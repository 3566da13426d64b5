#pragma once

// pickle_args: how the fixed-width arguments of pickle opcodes decode, for
// both readers (pickle_reader.cpp and flat_pickle_reader.cpp). Callers have
// checked that the bytes are there.

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace mpactor::python {

/// The unsigned little-endian number in `n` (at most 8) bytes: lengths,
/// BININT, BININT2, memo keys.
inline std::uint64_t little_endian(const std::uint8_t* p, std::size_t n) noexcept {
  std::uint64_t v = 0;
  for (std::size_t i = n; i-- > 0;)
    v = (v << 8) | p[i];
  return v;
}

/// LONG1/LONG4's two's complement in `n` (at most 8) bytes; no bytes is 0.
inline std::int64_t small_twos_complement(const std::uint8_t* p, std::size_t n) noexcept {
  auto v = little_endian(p, n);
  if (n > 0 && n < 8 && (p[n - 1] & 0x80) != 0)
    v |= ~std::uint64_t{0} << (8 * n); // sign-extend
  return static_cast<std::int64_t>(v);
}

/// BINFLOAT's big-endian IEEE 754 double in 8 bytes.
inline double big_endian_double(const std::uint8_t* p) noexcept {
  std::uint64_t bits = 0;
  for (int i = 0; i < 8; ++i)
    bits = (bits << 8) | p[i];
  double x;
  std::memcpy(&x, &bits, sizeof x);
  return x;
}

} // namespace mpactor::python

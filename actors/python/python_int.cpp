#include <mpactor/actors/python/python_int.hpp>

#include <algorithm>
#include <cmath>

namespace mpactor::python {

namespace {

// A magnitude: 32-bit limbs, least significant first, no zero limb on top.
using limbs = std::vector<std::uint32_t>;

void trim(limbs& x) {
  while (!x.empty() && x.back() == 0)
    x.pop_back();
}

// x = x * factor + addend
void multiply_add(limbs& x, std::uint32_t factor, std::uint32_t addend) {
  std::uint64_t carry = addend;
  for (auto& limb : x) {
    std::uint64_t v = std::uint64_t{limb} * factor + carry;
    limb = static_cast<std::uint32_t>(v);
    carry = v >> 32;
  }
  if (carry != 0)
    x.push_back(static_cast<std::uint32_t>(carry));
}

// x = x / divisor, returns the remainder
std::uint32_t divide(limbs& x, std::uint32_t divisor) {
  std::uint64_t rest = 0;
  for (auto i = x.size(); i-- > 0;) {
    std::uint64_t v = (rest << 32) | x[i];
    x[i] = static_cast<std::uint32_t>(v / divisor);
    rest = v % divisor;
  }
  trim(x);
  return static_cast<std::uint32_t>(rest);
}

std::string to_decimal(limbs x, bool negative) {
  trim(x);
  if (x.empty())
    return "0";
  std::string digits; // least significant first
  while (!x.empty()) {
    auto chunk = divide(x, 1000000000u);
    for (int i = 0; i < 9; ++i) {
      digits += static_cast<char>('0' + chunk % 10);
      chunk /= 10;
      if (x.empty() && chunk == 0)
        break;
    }
  }
  if (negative)
    digits += '-';
  std::reverse(digits.begin(), digits.end());
  return digits;
}

limbs from_bytes(const std::vector<std::uint8_t>& bytes) {
  limbs x((bytes.size() + 3) / 4, 0);
  for (std::size_t i = 0; i < bytes.size(); ++i)
    x[i / 4] |= std::uint32_t{bytes[i]} << (8 * (i % 4));
  trim(x);
  return x;
}

} // namespace

std::string decimal_from_twos_complement(const std::uint8_t* bytes, std::size_t size) {
  std::vector<std::uint8_t> magnitude(bytes, bytes + size);
  bool negative = size > 0 && (bytes[size - 1] & 0x80) != 0;
  if (negative) { // magnitude = ~x + 1
    unsigned carry = 1;
    for (auto& b : magnitude) {
      unsigned v = static_cast<std::uint8_t>(~b) + carry;
      b = static_cast<std::uint8_t>(v);
      carry = v >> 8;
    }
  }
  return to_decimal(from_bytes(magnitude), negative);
}

bool is_canonical_decimal(std::string_view decimal) {
  auto digits = decimal;
  if (!digits.empty() && digits.front() == '-')
    digits.remove_prefix(1);
  if (digits.empty() || !std::all_of(digits.begin(), digits.end(),
                                     [](char c) { return c >= '0' && c <= '9'; }))
    return false;
  if (digits.size() > 1 && digits.front() == '0')
    return false;
  return !(digits == "0" && decimal.front() == '-');
}

std::optional<std::string> canonical_decimal(std::string_view decimal) {
  bool negative = !decimal.empty() && decimal.front() == '-';
  auto digits = decimal.substr(negative ? 1 : 0);
  if (digits.empty() || !std::all_of(digits.begin(), digits.end(),
                                     [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  auto first = digits.find_first_not_of('0');
  if (first == std::string_view::npos)
    return std::string{"0"};
  std::string out = negative ? "-" : "";
  out += digits.substr(first);
  return out;
}

std::optional<std::vector<std::uint8_t>> twos_complement_from_decimal(std::string_view decimal) {
  bool negative = !decimal.empty() && decimal.front() == '-';
  auto digits = decimal.substr(negative ? 1 : 0);
  if (digits.empty())
    return std::nullopt;
  limbs x;
  for (char c : digits) {
    if (c < '0' || c > '9')
      return std::nullopt;
    multiply_add(x, 10, static_cast<std::uint32_t>(c - '0'));
  }
  trim(x);
  if (x.empty())
    return std::vector<std::uint8_t>{}; // 0: LONG1 with no bytes
  std::vector<std::uint8_t> out;
  for (auto limb : x)
    for (int i = 0; i < 4; ++i)
      out.push_back(static_cast<std::uint8_t>(limb >> (8 * i)));
  out.push_back(0); // room for the sign bit
  if (negative) {
    unsigned carry = 1;
    for (auto& b : out) {
      unsigned v = static_cast<std::uint8_t>(~b) + carry;
      b = static_cast<std::uint8_t>(v);
      carry = v >> 8;
    }
  }
  // Drop top bytes that only repeat the sign.
  auto fill = negative ? std::uint8_t{0xff} : std::uint8_t{0x00};
  while (out.size() > 1 && out.back() == fill
         && ((out[out.size() - 2] & 0x80) != 0) == negative)
    out.pop_back();
  return out;
}

std::optional<std::string> decimal_from_integral_double(double x) {
  if (!std::isfinite(x) || x != std::trunc(x))
    return std::nullopt;
  if (std::fabs(x) < 9.2e18)
    return std::to_string(static_cast<long long>(x));
  int exponent = 0;
  double fraction = std::frexp(std::fabs(x), &exponent); // |x| = fraction * 2^exponent
  auto mantissa = static_cast<std::uint64_t>(std::ldexp(fraction, 53));
  int shift = exponent - 53; // > 0 here: |x| >= 2^63
  limbs value{static_cast<std::uint32_t>(mantissa), static_cast<std::uint32_t>(mantissa >> 32)};
  for (; shift >= 16; shift -= 16)
    multiply_add(value, 1u << 16, 0);
  if (shift > 0)
    multiply_add(value, 1u << shift, 0);
  return to_decimal(value, x < 0);
}

} // namespace mpactor::python

#pragma once

// python_int: conversions between the forms a Python int takes on the way
// through mpactor, for ints of any length.
//
// A pickle carries an int beyond 32 bits as little-endian two's complement
// bytes (LONG1/LONG4); a json value carries one beyond 64 bits as its decimal
// text (see python_value.hpp). These functions convert between the two, and
// give the exact decimal of a float that holds an integral value (Python's
// 1e20 == 10**20). They are pure and allocate in proportion to their input;
// callers bound the input (pickle_limits::max_int_bytes).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mpactor::python {

/// The decimal text of the little-endian two's complement integer in
/// `bytes` (empty bytes are 0, as pickle's LONG1 with length 0 is).
std::string decimal_from_twos_complement(const std::uint8_t* bytes, std::size_t size);

/// The shortest little-endian two's complement bytes of the integer written
/// in `decimal` (an optional '-', then digits); none if `decimal` is not such
/// a text.
std::optional<std::vector<std::uint8_t>> twos_complement_from_decimal(std::string_view decimal);

/// Whether `decimal` is an integer's canonical text: an optional '-', then
/// digits without leading zeros ("0", not "-0").
bool is_canonical_decimal(std::string_view decimal);

/// The canonical decimal of the integer written in `decimal`, none if it is
/// not an integer's text ("007" -> "7", "-0" -> "0").
std::optional<std::string> canonical_decimal(std::string_view decimal);

/// The exact decimal of `x` when it is finite and integral (1e20 ->
/// "100000000000000000000", -0.0 -> "0"), none otherwise.
std::optional<std::string> decimal_from_integral_double(double x);

} // namespace mpactor::python

#pragma once

// python_str: which bytes a pickle may carry as a Python str.
//
// A pickle carries a str as UTF-8 written with Python's 'surrogatepass'
// handler: a lone surrogate (which a Python str may hold) is its 3-byte form.
// Both pickle readers accept exactly those bytes.

#include <cstddef>
#include <cstdint>

namespace mpactor::python {

/// Whether `size` bytes at `s` are UTF-8 as Python's 'surrogatepass' writes
/// it: well formed and shortest, lone surrogates allowed.
bool is_python_utf8(const std::uint8_t* s, std::size_t size) noexcept;

} // namespace mpactor::python

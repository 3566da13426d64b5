#pragma once

// Typecodes and ctypes names for the types Value and Array hold.
//
// Python picks a shared value's C type by typecode ('i', 'd', ...) or by a
// ctypes name (c_int, c_double, ...); here both are aliases of the C++ type:
// `Value<typecode_t<'i'>>` is `Value<int>`, `Array<c_double>` is
// `Array<double>`. Any trivially copyable type may be shared. Pointer types
// (c_char_p, c_wchar_p, c_void_p) are refused at compile time: an address
// means nothing in another process, so text is shared as Array<char>.

#include <cstdint>
#include <string>
#include <type_traits>
#include <typeinfo>

namespace mpactor {

/// Maps a typecode to its C type; an unknown code does not compile.
template <char Code>
struct typecode {
  static_assert(Code != Code, "mpactor: unknown typecode; use one of "
                              "c b B u h H i I l L q Q f d");
};

#define MPACTOR_TYPECODE(code, ctype)                                          \
  template <>                                                                  \
  struct typecode<code> {                                                      \
    using type = ctype;                                                        \
  };
MPACTOR_TYPECODE('c', char)
MPACTOR_TYPECODE('b', signed char)
MPACTOR_TYPECODE('B', unsigned char)
MPACTOR_TYPECODE('u', wchar_t)
MPACTOR_TYPECODE('h', short)
MPACTOR_TYPECODE('H', unsigned short)
MPACTOR_TYPECODE('i', int)
MPACTOR_TYPECODE('I', unsigned int)
MPACTOR_TYPECODE('l', long)
MPACTOR_TYPECODE('L', unsigned long)
MPACTOR_TYPECODE('q', long long)
MPACTOR_TYPECODE('Q', unsigned long long)
MPACTOR_TYPECODE('f', float)
MPACTOR_TYPECODE('d', double)
#undef MPACTOR_TYPECODE

/// The C type of a typecode: `typecode_t<'i'>` is `int`.
template <char Code>
using typecode_t = typename typecode<Code>::type;

// ctypes names.
using c_bool = bool;
using c_char = char;
using c_wchar = wchar_t;
using c_byte = signed char;
using c_ubyte = unsigned char;
using c_short = short;
using c_ushort = unsigned short;
using c_int = int;
using c_uint = unsigned int;
using c_long = long;
using c_ulong = unsigned long;
using c_longlong = long long;
using c_ulonglong = unsigned long long;
using c_float = float;
using c_double = double;
using c_longdouble = long double;
using c_int8 = std::int8_t;
using c_int16 = std::int16_t;
using c_int32 = std::int32_t;
using c_int64 = std::int64_t;
using c_uint8 = std::uint8_t;
using c_uint16 = std::uint16_t;
using c_uint32 = std::uint32_t;
using c_uint64 = std::uint64_t;
/// Pointer types exist so that ported code finds them, and is told why it
/// cannot use them.
using c_char_p = char*;
using c_wchar_p = wchar_t*;
using c_void_p = void*;

/// Compile-time check of a type to share; names the fix when it fails.
template <class T>
constexpr bool check_shareable() {
  static_assert(!std::is_pointer_v<T>,
                "mpactor: a pointer (c_char_p, c_wchar_p, c_void_p) means "
                "nothing in another process; share text as Array<char> "
                "(Array<c_char>) instead");
  static_assert(std::is_trivially_copyable_v<T>,
                "mpactor: shared values must be trivially copyable (no "
                "std::string, no heap-owning members): they live in shared "
                "memory mapped at different addresses in each process");
  return true;
}

/// The typecode of a shared type ('i' for int, '?' for bool, 'g' for long
/// double, as Python's struct and ctypes spell them); 0 for a type without
/// one. Stored in named segments beside the type's size and name.
template <class T>
constexpr char shared_typecode() {
  if constexpr (std::is_same_v<T, bool>) return '?';
  else if constexpr (std::is_same_v<T, char>) return 'c';
  else if constexpr (std::is_same_v<T, signed char>) return 'b';
  else if constexpr (std::is_same_v<T, unsigned char>) return 'B';
  else if constexpr (std::is_same_v<T, wchar_t>) return 'u';
  else if constexpr (std::is_same_v<T, short>) return 'h';
  else if constexpr (std::is_same_v<T, unsigned short>) return 'H';
  else if constexpr (std::is_same_v<T, int>) return 'i';
  else if constexpr (std::is_same_v<T, unsigned int>) return 'I';
  else if constexpr (std::is_same_v<T, long>) return 'l';
  else if constexpr (std::is_same_v<T, unsigned long>) return 'L';
  else if constexpr (std::is_same_v<T, long long>) return 'q';
  else if constexpr (std::is_same_v<T, unsigned long long>) return 'Q';
  else if constexpr (std::is_same_v<T, float>) return 'f';
  else if constexpr (std::is_same_v<T, double>) return 'd';
  else if constexpr (std::is_same_v<T, long double>) return 'g';
  else return 0;
}

/// A readable name of a shared type, stored in named segments so that
/// opening one as the wrong type fails with a clear message.
template <class T>
std::string shared_type_name() {
  if constexpr (std::is_same_v<T, bool>) return "bool";
  else if constexpr (std::is_same_v<T, char>) return "char";
  else if constexpr (std::is_same_v<T, signed char>) return "signed char";
  else if constexpr (std::is_same_v<T, unsigned char>) return "unsigned char";
  else if constexpr (std::is_same_v<T, wchar_t>) return "wchar_t";
  else if constexpr (std::is_same_v<T, short>) return "short";
  else if constexpr (std::is_same_v<T, unsigned short>) return "unsigned short";
  else if constexpr (std::is_same_v<T, int>) return "int";
  else if constexpr (std::is_same_v<T, unsigned int>) return "unsigned int";
  else if constexpr (std::is_same_v<T, long>) return "long";
  else if constexpr (std::is_same_v<T, unsigned long>) return "unsigned long";
  else if constexpr (std::is_same_v<T, long long>) return "long long";
  else if constexpr (std::is_same_v<T, unsigned long long>) return "unsigned long long";
  else if constexpr (std::is_same_v<T, float>) return "float";
  else if constexpr (std::is_same_v<T, double>) return "double";
  else if constexpr (std::is_same_v<T, long double>) return "long double";
  else return typeid(T).name();
}

} // namespace mpactor

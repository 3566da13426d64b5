// Typecodes and ctypes names are the C types Python gives them.

#include <catch2/catch.hpp>

#include <type_traits>

#include <mpactor/mpactor.hpp>

using namespace mpactor;

static_assert(std::is_same_v<typecode_t<'c'>, char>);
static_assert(std::is_same_v<typecode_t<'b'>, signed char>);
static_assert(std::is_same_v<typecode_t<'B'>, unsigned char>);
static_assert(std::is_same_v<typecode_t<'u'>, wchar_t>);
static_assert(std::is_same_v<typecode_t<'h'>, short>);
static_assert(std::is_same_v<typecode_t<'H'>, unsigned short>);
static_assert(std::is_same_v<typecode_t<'i'>, int>);
static_assert(std::is_same_v<typecode_t<'I'>, unsigned int>);
static_assert(std::is_same_v<typecode_t<'l'>, long>);
static_assert(std::is_same_v<typecode_t<'L'>, unsigned long>);
static_assert(std::is_same_v<typecode_t<'q'>, long long>);
static_assert(std::is_same_v<typecode_t<'Q'>, unsigned long long>);
static_assert(std::is_same_v<typecode_t<'f'>, float>);
static_assert(std::is_same_v<typecode_t<'d'>, double>);
static_assert(std::is_same_v<c_bool, bool>);
static_assert(std::is_same_v<c_char, char>);
static_assert(std::is_same_v<c_byte, signed char>);
static_assert(std::is_same_v<c_ubyte, unsigned char>);
static_assert(std::is_same_v<c_short, short>);
static_assert(std::is_same_v<c_ushort, unsigned short>);
static_assert(std::is_same_v<c_int, int>);
static_assert(std::is_same_v<c_uint, unsigned int>);
static_assert(std::is_same_v<c_long, long>);
static_assert(std::is_same_v<c_ulong, unsigned long>);
static_assert(std::is_same_v<c_longlong, long long>);
static_assert(std::is_same_v<c_ulonglong, unsigned long long>);
static_assert(std::is_same_v<c_float, float>);
static_assert(std::is_same_v<c_double, double>);

TEST_CASE("Typecode and ctypes values behave as their C types") {
  Value<typecode_t<'h'>> h{1};
  h += 1;
  CHECK(h.value() == 2);
  Value<c_bool> flag{false};
  flag = true;
  CHECK(flag.value());
  Array<c_char> text{'o', 'k', '\0'};
  CHECK(std::string(text.get_obj().data()) == "ok");
  Array<typecode_t<'d'>> xs(2);
  xs[1] = 0.5;
  CHECK(xs.to_vector()[1] == 0.5);
}

TEST_CASE("Shared type names are readable for typecode types") {
  CHECK(shared_type_name<int>() == "int");
  CHECK(shared_type_name<c_double>() == "double");
  CHECK(shared_type_name<c_ulonglong>() == "unsigned long long");
}

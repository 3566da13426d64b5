#pragma once

// locked_arithmetic: the read-modify-write operators of a shared number
// (Value<T>, one element of Array<T>), each one hold of its lock.
//
// A CRTP base: `Derived` provides `update(fn)`, which applies fn(T&) under
// the lock and returns the new value. An integer T refuses a floating-point
// operand at compile time (`v += 1.5` does not compile): C++ would drop the
// fraction silently, where Python's ctypes refuses a float.

#include <type_traits>

namespace mpactor {

template <class Derived, class T>
class locked_arithmetic {
public:
  /// Each returns the new value.
  template <class U>
  T operator+=(U x) {
    keeps_fraction<U>();
    return self().update([&](T& v) { v += static_cast<T>(x); });
  }
  template <class U>
  T operator-=(U x) {
    keeps_fraction<U>();
    return self().update([&](T& v) { v -= static_cast<T>(x); });
  }
  template <class U>
  T operator*=(U x) {
    keeps_fraction<U>();
    return self().update([&](T& v) { v *= static_cast<T>(x); });
  }
  template <class U>
  T operator/=(U x) {
    keeps_fraction<U>();
    return self().update([&](T& v) { v /= static_cast<T>(x); });
  }
  template <class U>
  T operator%=(U x) {
    keeps_fraction<U>();
    return self().update([&](T& v) { v %= static_cast<T>(x); });
  }
  T operator++() { return self().update([](T& v) { ++v; }); }
  T operator--() { return self().update([](T& v) { --v; }); }

private:
  template <class U>
  static constexpr void keeps_fraction() {
    static_assert(!(std::is_integral_v<T> && std::is_floating_point_v<U>),
                  "an integer Value or Array element takes no floating-point operand: the "
                  "fraction would be dropped; convert it explicitly (static_cast) or use a "
                  "floating-point type");
  }

  Derived& self() { return static_cast<Derived&>(*this); }
};

} // namespace mpactor

#pragma once

// RawValue<T>: one T in shared memory, without a lock
// (multiprocessing.RawValue).
//
// Copies, and copies inherited by forked children, refer to the same T.
// Nothing synchronizes access: use it where one writer at a time is
// guaranteed otherwise, or wrap it in a Value. T must be trivially copyable
// and not a pointer (see typecodes.hpp).

#include <memory>
#include <new>
#include <string>

#include <mpactor/shm/shared_heap.hpp>
#include <mpactor/shm/typecodes.hpp>

namespace mpactor {

template <class T>
class RawValue {
  static_assert(check_shareable<T>());

public:
  using value_type = T;

  /// Makes a new shared T holding `init`.
  explicit RawValue(T init = T{})
    : storage_(shared_heap::allocate(sizeof(T), alignof(T))),
      obj_(new (storage_.get()) T(init)) {
    // nop
  }

  /// Wraps a T in shared memory kept alive by `storage`.
  RawValue(std::shared_ptr<void> storage, T* obj)
    : storage_(std::move(storage)), obj_(obj) {
    // nop
  }

  /// Reads the value (unsynchronized).
  T value() const { return *obj_; }

  /// Writes the value (unsynchronized).
  void value(T x) { *obj_ = x; }

  RawValue& operator=(T x) {
    *obj_ = x;
    return *this;
  }

  /// The shared T itself.
  T& get_obj() const noexcept { return *obj_; }

private:
  std::shared_ptr<void> storage_;
  T* obj_;
};

} // namespace mpactor

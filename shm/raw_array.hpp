#pragma once

// RawArray<T>: a fixed-size array of T in shared memory, without a lock
// (multiprocessing.RawArray). It is also what Array<T>::get_obj() returns: the
// unsynchronized view of a synchronized array.
//
// Copies, and copies inherited by forked children, refer to the same
// elements. Elements start zero-filled or copied from an initializer.
// Indexing out of range throws IndexError; begin()/end() iterate the raw
// elements.

#include <algorithm>
#include <cstddef>
#include <initializer_list>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include <mpactor/shm/error.hpp>
#include <mpactor/shm/shared_heap.hpp>
#include <mpactor/shm/typecodes.hpp>

namespace mpactor {

template <class T>
class RawArray {
  static_assert(check_shareable<T>());

public:
  using value_type = T;
  using iterator = T*;
  using const_iterator = const T*;

  /// Makes `n` zero-filled elements.
  explicit RawArray(std::size_t n) : RawArray(allocate(n), n) {
    // nop
  }

  /// Makes elements copied from `init`.
  RawArray(std::initializer_list<T> init) : RawArray(init.begin(), init.end()) {
    // nop
  }

  /// Makes elements copied from [first, last).
  template <class It, class = typename std::iterator_traits<It>::value_type>
  RawArray(It first, It last)
    : RawArray(static_cast<std::size_t>(std::distance(first, last))) {
    std::copy(first, last, data_);
  }

  /// Wraps `n` elements at `data`, kept alive by `storage`.
  RawArray(std::shared_ptr<void> storage, T* data, std::size_t n)
    : storage_(std::move(storage)), data_(data), size_(n) {
    // nop
  }

  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }

  /// Element `i`; IndexError when out of range.
  T& operator[](std::size_t i) const {
    check(i);
    return data_[i];
  }

  T* data() const noexcept { return data_; }
  T* begin() const noexcept { return data_; }
  T* end() const noexcept { return data_ + size_; }

  /// A copy of the elements.
  std::vector<T> to_vector() const { return std::vector<T>(begin(), end()); }

  /// Throws IndexError unless `i` < size().
  void check(std::size_t i) const {
    if (i >= size_)
      throw IndexError("array index " + std::to_string(i)
                       + " out of range (size " + std::to_string(size_) + ")");
  }

private:
  RawArray(std::shared_ptr<void> storage, std::size_t n)
    : storage_(std::move(storage)), data_(static_cast<T*>(storage_.get())),
      size_(n) {
    // nop: shared_heap zero-fills, which is T{} for the arithmetic types
  }

  static std::shared_ptr<void> allocate(std::size_t n) {
    if (n > static_cast<std::size_t>(-1) / sizeof(T))
      throw ValueError("RawArray: " + std::to_string(n) + " elements do not fit in memory");
    return shared_heap::allocate(sizeof(T) * n, alignof(T));
  }

  std::shared_ptr<void> storage_;
  T* data_;
  std::size_t size_;
};

} // namespace mpactor

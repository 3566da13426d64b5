#pragma once

// Array<T>: a fixed-size array of T in shared memory, guarded by a
// process-shared lock (multiprocessing.Array).
//
// Copies, and copies inherited by forked children, refer to the same elements
// and lock. The default lock is a new RLock; pass a Lock or RLock to share one.
// `a[i]` is an element reference whose read and write each hold the lock once
// and whose compound operators are atomic. to_vector() copies all elements
// under one hold. get_obj() is the unsynchronized RawArray view, for code that
// holds get_lock() itself. Out-of-range indices throw IndexError. begin()/end()
// iterate in place without the lock (range-for): hold get_lock() meanwhile
// if anyone may write.
//
// Named arrays are shared by unrelated programs: create(), open(),
// open_or_create(), unlink() (see named_segment.hpp).

#include <algorithm>
#include <cstring>
#include <initializer_list>
#include <string>
#include <type_traits>
#include <vector>

#include <mpactor/shm/lock.hpp>
#include <mpactor/shm/locked_arithmetic.hpp>
#include <mpactor/shm/named_segment.hpp>
#include <mpactor/shm/operation_guard.hpp>
#include <mpactor/shm/raw_array.hpp>
#include <mpactor/shm/rlock.hpp>

namespace mpactor {

template <class T>
class Array {
public:
  using value_type = T;

  /// One element, read and written under the array's lock.
  class reference : public locked_arithmetic<reference, T> {
  public:
    reference(const Array* owner, std::size_t i) : owner_(owner), i_(i) {
      // nop
    }

    /// Locked read.
    operator T() const {
      operation_guard g{owner_->lock_.data()};
      return owner_->obj_.data()[i_];
    }

    /// Locked write.
    reference& operator=(T x) {
      operation_guard g{owner_->lock_.data()};
      owner_->obj_.data()[i_] = x;
      return *this;
    }

    reference& operator=(const reference& other) { return *this = T(other); }

    /// Applies `fn(T&)` under one hold of the lock; returns the new value
    /// (and gives the element locked_arithmetic's +=, -=, ... ++, --).
    template <class F>
    T update(F&& fn) {
      operation_guard g{owner_->lock_.data()};
      T& v = owner_->obj_.data()[i_];
      fn(v);
      return v;
    }

  private:
    const Array* owner_;
    std::size_t i_;
  };

  /// Makes `n` zero-filled elements guarded by a new RLock.
  explicit Array(std::size_t n) : obj_(n) {
    // nop
  }

  /// Makes `n` zero-filled elements guarded by `lock`.
  Array(std::size_t n, Lock lock) : obj_(n), lock_(std::move(lock)) {
    // nop
  }

  /// Makes elements copied from `init`, guarded by a new RLock.
  Array(std::initializer_list<T> init) : obj_(init) {
    // nop
  }

  /// Makes elements copied from `init`, guarded by `lock`.
  Array(std::initializer_list<T> init, Lock lock)
    : obj_(init), lock_(std::move(lock)) {
    // nop
  }

  /// Makes elements copied from [first, last), guarded by a new RLock.
  template <class It, class = typename std::iterator_traits<It>::value_type>
  Array(It first, It last) : obj_(first, last) {
    // nop
  }

  /// Makes elements copied from [first, last), guarded by `lock`.
  template <class It, class = typename std::iterator_traits<It>::value_type>
  Array(It first, It last, Lock lock)
    : obj_(first, last), lock_(std::move(lock)) {
    // nop
  }

  std::size_t size() const noexcept { return obj_.size(); }

  /// Element `i`; IndexError when out of range.
  reference operator[](std::size_t i) const {
    obj_.check(i);
    return reference{this, i};
  }

  /// A snapshot of all elements, taken under one hold of the lock.
  std::vector<T> to_vector() const {
    std::vector<T> out(obj_.size());
    operation_guard g{lock_.data()};
    if (!out.empty())
      std::memcpy(out.data(), obj_.data(), out.size() * sizeof(T));
    return out;
  }

  /// Overwrites all elements from `values` under one hold; their count must
  /// equal size() (ValueError otherwise).
  void assign(const std::vector<T>& values) {
    if (values.size() != obj_.size())
      throw ValueError("Array::assign: " + std::to_string(values.size())
                       + " values for " + std::to_string(obj_.size())
                       + " elements");
    operation_guard g{lock_.data()};
    std::copy(values.begin(), values.end(), obj_.data());
  }

  /// The lock guarding the elements.
  Lock& get_lock() noexcept { return lock_; }
  const Lock& get_lock() const noexcept { return lock_; }

  bool acquire(bool block = true, Timeout timeout = none) const {
    return lock_.acquire(block, timeout);
  }
  void release() const { lock_.release(); }

  /// Iteration over the elements in place, unsynchronized: hold get_lock()
  /// for the whole loop when another process or thread may write (or
  /// iterate to_vector(), a snapshot under one hold).
  T* begin() const noexcept { return obj_.begin(); }
  T* end() const noexcept { return obj_.end(); }

  /// The unsynchronized elements (size(), operator[], begin(), end()).
  const RawArray<T>& get_obj() const noexcept { return obj_; }

  /// Creates named array `name` of `n` zero-filled elements; FileExistsError
  /// if it exists, OSError if /dev/shm has no room for them. `options` sets
  /// the mode (0600 by default; see named_options).
  static Array create(const std::string& name, std::size_t n,
                      const named_options& options = {}) {
    return attach(name, open_mode::create_only, n, nullptr, options);
  }

  /// Creates named array `name` holding `init`.
  static Array create(const std::string& name, std::initializer_list<T> init,
                      const named_options& options = {}) {
    std::vector<T> values(init);
    return attach(name, open_mode::create_only, values.size(), &values, options);
  }

  /// Opens named array `name` (its size is the stored one, checked against
  /// the file); the errors are Value::open's.
  static Array open(const std::string& name, const named_options& options = {}) {
    return attach(name, open_mode::open_only, 0, nullptr, options);
  }

  /// Opens named array `name`, creating it with `n` zero-filled elements.
  static Array open_or_create(const std::string& name, std::size_t n,
                              const named_options& options = {}) {
    return attach(name, open_mode::open_or_create, n, nullptr, options);
  }

  /// Removes name `name`; handles stay valid. Returns whether it existed.
  static bool unlink(const std::string& name) {
    return named_segment::unlink(name);
  }

private:
  Array(RawArray<T> obj, Lock lock) : obj_(std::move(obj)), lock_(std::move(lock)) {
    // nop
  }

  static Array attach(const std::string& name, open_mode mode, std::size_t n,
                      const std::vector<T>* init, const named_options& options) {
    check_shareable<T>();
    segment_shape shape{sizeof(T), alignof(T), n, false, shared_typecode<T>(),
                        shared_type_name<T>()};
    auto seg = named_segment::attach(
      name, mode, shape,
      [](void* data, std::size_t count, const void* arg) {
        auto* out = static_cast<T*>(data);
        std::fill(out, out + count, T{});
        if (arg != nullptr) {
          auto& values = *static_cast<const std::vector<T>*>(arg);
          std::copy(values.begin(), values.end(), out);
        }
      },
      init, options);
    RawArray<T> obj{seg.mapping(), static_cast<T*>(seg.elements()), seg.count()};
    return Array(std::move(obj),
                 Lock(std::shared_ptr<lock_data>(seg.mapping(), &seg.data()->lock)));
  }

  RawArray<T> obj_;
  Lock lock_ = RLock();
};

} // namespace mpactor

#pragma once

// Value<T>: one T in shared memory, guarded by a process-shared lock
// (multiprocessing.Value).
//
// Copies, and copies inherited by forked children, refer to the same T and
// the same lock. By default the lock is a new RLock, as in Python; pass a Lock
// or RLock to share one lock between several objects.
//
// Every operation holds the lock once: value() reads, `v = x` writes, and the
// compound operators (`+= -= *= /= %= ++ --`) read, modify and write under
// one hold, so `v += 1` from many processes never loses an update (Python's
// `v.value += 1` does: that is the tutorial's first pitfall). get_obj() is the
// raw T&, for code that holds get_lock() itself, and for showing the pitfall.
// An integer Value's compound operators refuse a floating-point operand at
// compile time (`v += 1.5` would add 1).
//
// Named values are shared by unrelated programs: create(), open(),
// open_or_create(), unlink() (see named_segment.hpp).

#include <memory>
#include <new>
#include <string>

#include <type_traits>

#include <mpactor/shm/lock.hpp>
#include <mpactor/shm/locked_arithmetic.hpp>
#include <mpactor/shm/named_segment.hpp>
#include <mpactor/shm/operation_guard.hpp>
#include <mpactor/shm/raw_value.hpp>
#include <mpactor/shm/rlock.hpp>
#include <mpactor/shm/value_data.hpp>

namespace mpactor {

template <class T>
class Value : public locked_arithmetic<Value<T>, T> {
  static_assert(check_shareable<T>());

  using block = value_data<T>;

public:
  using value_type = T;

  /// Makes a new shared T holding `init`, guarded by a new RLock.
  explicit Value(T init = T{}) : Value(make_block(init), 0) {
    // nop
  }

  /// Makes a new shared T holding `init`, guarded by `lock` (a Lock or an
  /// RLock, possibly shared with other objects).
  Value(T init, Lock lock) : obj_(init), lock_(std::move(lock)) {
    // nop
  }

  /// Reads the value under the lock.
  T value() const {
    operation_guard g{lock_.data()};
    return obj_.get_obj();
  }

  /// Writes the value under the lock.
  void value(T x) {
    operation_guard g{lock_.data()};
    obj_.get_obj() = x;
  }

  /// Writes the value under the lock.
  Value& operator=(T x) {
    value(x);
    return *this;
  }

  /// Atomic read-modify-write operators: +=, -=, *=, /=, %=, ++, -- come
  /// from locked_arithmetic (each returns the new value; an integer Value
  /// refuses a floating-point operand at compile time).
  using locked_arithmetic<Value<T>, T>::operator++;
  using locked_arithmetic<Value<T>, T>::operator--;
  /// Postfix forms return the old value.
  T operator++(int) { return update([](T& v) { ++v; }) - T(1); }
  T operator--(int) { return update([](T& v) { --v; }) + T(1); }

  /// Applies `fn(T&)` under one hold of the lock; returns the new value.
  template <class F>
  T update(F&& fn) {
    operation_guard g{lock_.data()};
    fn(obj_.get_obj());
    return obj_.get_obj();
  }

  /// The lock guarding the value.
  Lock& get_lock() noexcept { return lock_; }
  const Lock& get_lock() const noexcept { return lock_; }

  /// Acquires the lock (see Lock::acquire).
  bool acquire(bool block = true, Timeout timeout = none) const {
    return lock_.acquire(block, timeout);
  }

  /// Releases the lock.
  void release() const { lock_.release(); }

  /// The raw shared T: unsynchronized unless the caller holds get_lock().
  T& get_obj() const noexcept { return obj_.get_obj(); }

  /// Creates named value `name` holding `init`; FileExistsError if it exists.
  /// `options` sets the mode (0600 by default; see named_options).
  static Value create(const std::string& name, T init = T{},
                      const named_options& options = {}) {
    return attach(name, open_mode::create_only, init, options);
  }

  /// Opens named value `name`; FileNotFoundError if it does not exist,
  /// PermissionError if another uid owns it or group/other may write it
  /// (unless options.across_users), TypeError if it holds another type,
  /// ValueError if it is damaged (see named_segment.hpp).
  static Value open(const std::string& name, const named_options& options = {}) {
    return attach(name, open_mode::open_only, T{}, options);
  }

  /// Opens named value `name`, creating it with `init` if needed.
  static Value open_or_create(const std::string& name, T init = T{},
                              const named_options& options = {}) {
    return attach(name, open_mode::open_or_create, init, options);
  }

  /// Removes name `name`; handles stay valid. Returns whether it existed.
  static bool unlink(const std::string& name) {
    return named_segment::unlink(name);
  }

private:
  Value(std::shared_ptr<block> blk, int)
    : obj_(blk, &blk->value), lock_(std::shared_ptr<lock_data>(blk, &blk->lock)) {
    // nop
  }

  Value(std::shared_ptr<void> keep, T* obj, std::shared_ptr<lock_data> lock)
    : obj_(std::move(keep), obj), lock_(std::move(lock)) {
    // nop
  }

  static std::shared_ptr<block> make_block(T init) {
    auto mem = shared_heap::allocate(sizeof(block), alignof(block));
    auto* blk = static_cast<block*>(mem.get());
    blk->lock.init(true);
    new (&blk->value) T(init);
    return std::shared_ptr<block>(mem, blk);
  }

  static Value attach(const std::string& name, open_mode mode, T init,
                      const named_options& options) {
    segment_shape shape{sizeof(T), alignof(T), 1, true, shared_typecode<T>(),
                        shared_type_name<T>()};
    auto seg = named_segment::attach(
      name, mode, shape,
      [](void* data, std::size_t, const void* arg) {
        new (data) T(*static_cast<const T*>(arg));
      },
      &init, options);
    auto* obj = static_cast<T*>(seg.elements());
    std::shared_ptr<lock_data> lock{seg.mapping(), &seg.data()->lock};
    return Value(seg.mapping(), obj, std::move(lock));
  }

  RawValue<T> obj_;
  Lock lock_;
};

} // namespace mpactor

#pragma once

// snapshot_iterator: what range-for over a proxy walks. begin() reads the
// whole object in one round trip (DictProxy: its keys, as Python iterates a
// dict; ListProxy and ArrayProxy: its values) and the iterator walks that
// snapshot; changes made after begin() are not seen. end() is a sentinel,
// so `for (auto& x : proxy)` costs one round trip, not one per item.

#include <cstddef>
#include <iterator>
#include <memory>

#include <mpactor/actors/core/json.hpp>

namespace mpactor {

/// The end of any snapshot.
struct snapshot_end {};

class snapshot_iterator {
public:
  using value_type = json;
  using reference = const json&;
  using pointer = const json*;
  using difference_type = std::ptrdiff_t;
  using iterator_category = std::forward_iterator_tag;

  snapshot_iterator() = default;

  /// Walks `items` (a json array).
  explicit snapshot_iterator(json items)
    : items_(std::make_shared<const json>(std::move(items))) {
    // nop
  }

  reference operator*() const { return (*items_)[i_]; }
  pointer operator->() const { return &(*items_)[i_]; }
  snapshot_iterator& operator++() {
    ++i_;
    return *this;
  }
  snapshot_iterator operator++(int) {
    auto old = *this;
    ++i_;
    return old;
  }

  bool done() const noexcept { return !items_ || i_ >= items_->size(); }

  friend bool operator==(const snapshot_iterator& x, const snapshot_iterator& y) {
    if (x.done() || y.done())
      return x.done() == y.done();
    return x.items_ == y.items_ && x.i_ == y.i_;
  }
  friend bool operator!=(const snapshot_iterator& x, const snapshot_iterator& y) {
    return !(x == y);
  }
  friend bool operator==(const snapshot_iterator& x, snapshot_end) { return x.done(); }
  friend bool operator!=(const snapshot_iterator& x, snapshot_end) { return !x.done(); }
  friend bool operator==(snapshot_end, const snapshot_iterator& x) { return x.done(); }
  friend bool operator!=(snapshot_end, const snapshot_iterator& x) { return !x.done(); }

private:
  std::shared_ptr<const json> items_;
  std::size_t i_ = 0;
};

} // namespace mpactor

#pragma once

// len(x): Python's len() for anything with size(): shared-memory Array,
// RawArray, and the managed proxies (DictProxy, ListProxy, ArrayProxy,
// QueueProxy's qsize() is not a size and is not covered). For a proxy it is
// one round trip.

#include <cstddef>

namespace mpactor {

template <class Sized>
auto len(const Sized& x) -> decltype(static_cast<std::size_t>(x.size())) {
  return static_cast<std::size_t>(x.size());
}

} // namespace mpactor

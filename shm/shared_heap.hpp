#pragma once

// shared_heap: where anonymous Values, Arrays and locks live.
//
// Small blocks are carved from arenas: anonymous MAP_SHARED mappings managed
// by Boost.Interprocess, so many small values share pages (a Value<int> costs
// about a hundred bytes, not a page). Blocks of 1 MiB and more get a mapping of
// their own. A child forked after an allocation shares the block; blocks made
// after a fork are private to the process that made them (as in Python).
//
// Ownership follows Python's sharedctypes heap: only the process that
// allocated a block frees it, when its last handle in that process goes away.
// A forked child never frees its parent's blocks (its handles just unmap or
// forget them), and starts a heap of its own for what it allocates.
//
// Thread-safe. Memory of freed blocks is reused; arenas stay mapped for the
// life of the process.

#include <cstddef>
#include <memory>

namespace mpactor {

class shared_heap {
public:
  /// Allocates `size` bytes aligned to `align` (a power of two, at most a
  /// page) in shared memory, zero-filled. The returned pointer owns the block.
  static std::shared_ptr<void> allocate(std::size_t size, std::size_t align);

  /// Blocks of this size and more get a mapping of their own.
  static constexpr std::size_t large_block = std::size_t{1} << 20;

  /// Size of one arena's mapping (address space; pages are used on touch).
  static constexpr std::size_t arena_size = std::size_t{64} << 20;
};

} // namespace mpactor

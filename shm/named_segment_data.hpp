#pragma once

// The shared-memory layout of a named segment: what lies at offset 0 of
// `/dev/shm/mpactor.<name>`, followed at `data_offset` by `count` elements.
// The named_segment handle (named_segment.hpp) creates and checks it.

#include <cstdint>

#include <mpactor/shm/lock_data.hpp>

namespace mpactor {

struct named_segment_data {
  static constexpr std::uint64_t magic_value = 0x31726f746361706dull; // "mpactor1"
  std::uint64_t magic;
  std::uint64_t elem_size;
  std::uint64_t count;
  std::uint64_t data_offset;
  char type_name[64];
  /// The lock of the Value or Array (an RLock).
  lock_data lock;
};

} // namespace mpactor

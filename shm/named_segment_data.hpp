#pragma once

// The shared-memory layout of a named segment: what lies at offset 0 of
// `/dev/shm/mpactor.<name>`, followed at `data_offset` by `count` elements of
// `elem_size` bytes. The named_segment handle (named_segment.hpp) writes it
// when it creates a segment, and checks every field against the file's size
// and the expected type before it maps one it opens.

#include <cstdint>

#include <mpactor/shm/lock_data.hpp>

namespace mpactor {

struct named_segment_data {
  static constexpr std::uint64_t magic_value = 0x31726f746361706dull; // "mpactor1"
  /// 2: this layout. Version 1 had elem_size where version and header_size
  /// are, so its header_size reads 0 and it is refused.
  static constexpr std::uint32_t current_version = 2;

  /// magic_value in every mpactor segment.
  std::uint64_t magic;
  /// The layout's version (current_version).
  std::uint32_t version;
  /// sizeof(named_segment_data) of the creator.
  std::uint32_t header_size;
  /// sizeof and alignof the element type.
  std::uint64_t elem_size;
  std::uint64_t elem_align;
  /// Number of elements (1 for a Value).
  std::uint64_t count;
  /// Offset of the first element from the start of the segment.
  std::uint64_t data_offset;
  /// Python typecode of the element type ('d', 'i', ...); 0 for a type that
  /// has none.
  char typecode;
  char reserved[7];
  /// The element type's name (shared_type_name), NUL-terminated.
  char type_name[64];
  /// The lock of the Value or Array (an RLock).
  lock_data lock;
};

} // namespace mpactor

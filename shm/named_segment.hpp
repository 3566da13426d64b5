#pragma once

// named_segment: a Value's or Array's storage under a name, for unrelated
// programs.
//
// A named segment is a POSIX shared-memory object `/dev/shm/mpactor.<name>`
// (mode 0600) laid out as a named_segment_data (header and the object's
// lock), then `count` elements. Creation is atomic: the segment is built and initialized
// under a temporary name, then linked to its final name, which fails if the
// name exists. So an opener never sees a half-initialized segment, and two
// creators never both win. Opening checks the element type and fails with a
// message naming the segment and both types.
//
// A segment outlives the programs that use it until unlink(); mappings are
// released when the last handle in a process goes away.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include <mpactor/shm/named_segment_data.hpp>

namespace mpactor {

/// How to attach to a name.
enum class open_mode { create_only, open_only, open_or_create };

/// What the caller expects in the segment.
struct segment_shape {
  std::size_t elem_size;
  std::size_t elem_align;
  std::size_t count;     ///< elements to create (ignored when opening)
  std::string type_name; ///< checked when opening
};

class named_segment {
public:
  /// Attaches to segment `name`. On creation, the lock is initialized (an
  /// RLock) and `init(data)` fills the elements. Throws FileExistsError,
  /// FileNotFoundError, TypeError (type mismatch) or ValueError (bad name).
  static std::shared_ptr<named_segment_data>
  attach(const std::string& name, open_mode mode, const segment_shape& shape,
         void (*init)(void* data, std::size_t count, const void* arg),
         const void* init_arg);

  /// Removes the name; mappings stay valid. Returns whether it existed.
  static bool unlink(const std::string& name);

  /// The elements of an attached segment.
  static void* data(named_segment_data* header) {
    return reinterpret_cast<char*>(header) + header->data_offset;
  }
};

} // namespace mpactor

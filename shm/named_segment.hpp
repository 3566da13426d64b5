#pragma once

// named_segment: a Value's or Array's storage under a name, for unrelated
// programs.
//
// A named segment is a POSIX shared-memory object `/dev/shm/mpactor.<name>`
// laid out as a named_segment_data (header and the object's lock), then
// `count` elements.
//
// Creation is atomic and reserves its memory: the segment is built under a
// temporary name, its bytes allocated up front (posix_fallocate), so a full
// /dev/shm is an OSError naming the size rather than a SIGBUS on first touch;
// it is initialized, then linked to its final name, which fails if the name
// exists. So an opener never sees a half-initialized segment, two creators
// never both win, and the temporary file is removed on every failure path.
// The mode is 0600 unless named_options says otherwise.
//
// Opening trusts nothing in the file: it opens with O_NOFOLLOW, refuses by
// default a segment owned by another uid or writable by group or other (it
// may have been planted by another user), then checks the header (magic,
// version, the element type's size, alignment, typecode and name) and that
// `count` elements at `data_offset` lie inside the file's size (fstat), all
// before mapping it. Each failure is an exception naming the segment and
// what is wrong. The handle keeps the checked count and offset; it never
// reads them from the shared header again.
//
// What no check can stop: a process allowed to write the segment (the same
// uid, or others under across_users) can shrink the file after it was opened,
// and the next access beyond the new end is a SIGBUS, as with Python's
// SharedMemory.
//
// A segment outlives the programs that use it until unlink(); mappings are
// released when the last handle in a process goes away.

#include <cstddef>
#include <memory>
#include <string>

#include <sys/types.h>

#include <mpactor/shm/named_segment_data.hpp>

namespace mpactor {

/// How to attach to a name.
enum class open_mode { create_only, open_only, open_or_create };

/// Who may share a named Value or Array, and which segments opening accepts.
/// The defaults are right for programs of one user; the fields are for
/// programs of several uids that share a segment on purpose:
///
///     mpactor::named_options shared;
///     shared.mode = 0660;          // the group may open it
///     shared.across_users = true;  // accept a segment another uid created
///     auto v = mpactor::Value<int>::open_or_create("jobs", 0, shared);
struct named_options {
  /// Permission bits of a segment this call creates (the umask does not
  /// apply). The owner must keep read and write (0600 at least).
  mode_t mode = 0600;

  /// Whether opening accepts a segment owned by another uid, or one that
  /// group or other may write. Off by default: such a segment may have been
  /// planted by another user, with contents and a lock of its choosing.
  bool across_users = false;
};

/// What the caller expects in the segment.
struct segment_shape {
  std::size_t elem_size;
  std::size_t elem_align;
  std::size_t count;     ///< elements to create
  bool count_fixed;      ///< opening requires `count` elements (a Value's 1)
  char typecode;         ///< shared_typecode, checked when opening
  std::string type_name; ///< shared_type_name, checked when opening
};

/// A mapped, checked named segment: the handle Value and Array keep.
class named_segment {
public:
  /// Attaches to segment `name`. On creation, the lock is initialized (an
  /// RLock) and `init(elements, count, init_arg)` fills the elements. Throws
  /// FileExistsError, FileNotFoundError, PermissionError (owner, mode,
  /// symbolic link), TypeError (not an mpactor segment, or another element
  /// type), ValueError (bad name or options, a count or offset that does not
  /// fit the file) or OSError (no space to create it, other system errors).
  static named_segment attach(const std::string& name, open_mode mode,
                              const segment_shape& shape,
                              void (*init)(void* elements, std::size_t count,
                                           const void* arg),
                              const void* init_arg,
                              const named_options& options = {});

  /// Wraps a mapping whose `count` elements at `data_offset` were checked to
  /// lie inside it (attach does that).
  named_segment(std::shared_ptr<named_segment_data> mapping,
                std::size_t data_offset, std::size_t count)
    : mapping_(std::move(mapping)), data_offset_(data_offset), count_(count) {
    // nop
  }

  /// Removes the name; mappings stay valid. Returns whether it existed.
  static bool unlink(const std::string& name);

  /// The header, lock included.
  named_segment_data* data() const noexcept { return mapping_.get(); }

  /// The mapping; keeps it alive.
  const std::shared_ptr<named_segment_data>& mapping() const noexcept {
    return mapping_;
  }

  /// The first element.
  void* elements() const noexcept {
    return reinterpret_cast<char*>(mapping_.get()) + data_offset_;
  }

  /// The number of elements, as checked when attaching.
  std::size_t count() const noexcept { return count_; }

private:
  std::shared_ptr<named_segment_data> mapping_;
  std::size_t data_offset_;
  std::size_t count_;
};

} // namespace mpactor

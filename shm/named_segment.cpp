#include <mpactor/shm/named_segment.hpp>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <optional>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mpactor/shm/error.hpp>

namespace mpactor {

namespace {

const char* shm_dir = "/dev/shm/";

std::string path_of(const std::string& name) {
  if (name.empty() || name.size() > 200 || name.find('/') != std::string::npos
      || name == "." || name == "..")
    throw ValueError("named shared object: invalid name '" + name
                     + "' (1 to 200 characters, no '/')");
  return std::string{shm_dir} + "mpactor." + name;
}

// "named shared object 'NAME'": how every message names the segment.
std::string subject(const std::string& name) {
  return "named shared object '" + name + "'";
}

std::string octal(unsigned mode) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0%03o", mode & 07777u);
  return buf;
}

// Throws the OSError that fits `err`, for `what` done on segment `name`.
[[noreturn]] void throw_os(const std::string& name, const std::string& what, int err) {
  auto text = subject(name) + ": " + what + ": " + std::strerror(err);
  switch (err) {
    case ENOENT:
      throw FileNotFoundError(subject(name) + " does not exist", err);
    case EEXIST:
      throw FileExistsError(subject(name) + " exists already", err);
    case EACCES:
    case EPERM:
      throw PermissionError(text, err);
    default:
      throw OSError(text, err);
  }
}

// A descriptor closed when it goes out of scope.
struct fd_guard {
  int fd;
  ~fd_guard() {
    if (fd >= 0)
      ::close(fd);
  }
};

std::shared_ptr<named_segment_data> map_fd(int fd, std::size_t bytes,
                                           const std::string& name) {
  void* addr = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (addr == MAP_FAILED)
    throw_os(name, "mmap of " + std::to_string(bytes) + " bytes", errno);
  return std::shared_ptr<named_segment_data>(
    static_cast<named_segment_data*>(addr),
    [bytes](named_segment_data* p) { munmap(p, bytes); });
}

// Refuses a file another user could have planted or can change.
void check_owner(const struct stat& st, const std::string& name,
                 const named_options& options) {
  if (!S_ISREG(st.st_mode))
    throw TypeError(subject(name) + " is not an mpactor segment (not a regular file)");
  if (options.across_users)
    return;
  auto me = geteuid();
  if (st.st_uid != me)
    throw PermissionError(subject(name) + " is owned by uid "
                          + std::to_string(st.st_uid) + ", not by this process's uid "
                          + std::to_string(me)
                          + "; refused (named_options::across_users accepts it)",
                          EPERM);
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
    throw PermissionError(subject(name) + " has mode " + octal(st.st_mode)
                          + ": group or other may write it; refused "
                          "(named_options::across_users accepts it)",
                          EPERM);
}

// Checks a copy of the header against the file's size and the expected
// shape; returns the number of bytes to map.
std::size_t check_header(const named_segment_data& h, std::size_t file_size,
                         const segment_shape& shape, const std::string& name) {
  if (h.magic != named_segment_data::magic_value)
    throw TypeError(subject(name) + " is not an mpactor segment (bad magic)");
  if (h.version != named_segment_data::current_version
      || h.header_size != sizeof(named_segment_data))
    throw TypeError(subject(name) + " has layout version " + std::to_string(h.version)
                    + " (header of " + std::to_string(h.header_size)
                    + " bytes); this program reads version "
                    + std::to_string(named_segment_data::current_version) + " ("
                    + std::to_string(sizeof(named_segment_data)) + " bytes)");
  auto stored_len = strnlen(h.type_name, sizeof(h.type_name));
  std::string stored{h.type_name, stored_len};
  if (stored_len == sizeof(h.type_name) || h.elem_size != shape.elem_size
      || h.elem_align != shape.elem_align || h.typecode != shape.typecode
      || stored != shape.type_name)
    throw TypeError(subject(name) + " holds " + stored + " ("
                    + std::to_string(h.elem_size) + " bytes, typecode '"
                    + (h.typecode != 0 ? std::string(1, h.typecode) : "none")
                    + "'), not " + shape.type_name + " ("
                    + std::to_string(shape.elem_size) + " bytes, typecode '"
                    + (shape.typecode != 0 ? std::string(1, shape.typecode) : "none")
                    + "')");
  if (h.data_offset < sizeof(named_segment_data) || h.data_offset % h.elem_align != 0
      || h.data_offset > file_size)
    throw ValueError(subject(name) + " is damaged: its data offset "
                     + std::to_string(h.data_offset) + " is not an aligned offset from "
                     + std::to_string(sizeof(named_segment_data)) + " to the file's "
                     + std::to_string(file_size) + " bytes");
  if (h.count > (file_size - h.data_offset) / h.elem_size)
    throw ValueError(subject(name) + " is damaged: its header counts "
                     + std::to_string(h.count) + " elements of "
                     + std::to_string(h.elem_size) + " bytes from offset "
                     + std::to_string(h.data_offset) + ", but the file has "
                     + std::to_string(file_size) + " bytes (truncated or forged)");
  if (shape.count_fixed && h.count != shape.count)
    throw ValueError(subject(name) + " is damaged: it holds " + std::to_string(h.count)
                     + " elements, not " + std::to_string(shape.count));
  auto bytes = h.data_offset + h.count * h.elem_size;
  return bytes > sizeof(named_segment_data) ? bytes : sizeof(named_segment_data);
}

named_segment open_existing(const std::string& name, const segment_shape& shape,
                            const named_options& options) {
  auto path = path_of(name);
  fd_guard fd{::open(path.c_str(), O_RDWR | O_NOFOLLOW | O_CLOEXEC)};
  if (fd.fd < 0) {
    if (errno == ELOOP)
      throw PermissionError(subject(name) + " is a symbolic link; refused", ELOOP);
    throw_os(name, "open", errno);
  }
  struct stat st {};
  if (fstat(fd.fd, &st) != 0)
    throw_os(name, "fstat", errno);
  check_owner(st, name, options);
  auto file_size = static_cast<std::size_t>(st.st_size);
  named_segment_data header{};
  if (file_size < sizeof header)
    throw TypeError(subject(name) + " is not an mpactor segment (" + std::to_string(file_size)
                    + " bytes, less than a header)");
  auto got = pread(fd.fd, &header, sizeof header, 0);
  if (got < 0)
    throw_os(name, "read", errno);
  if (static_cast<std::size_t>(got) != sizeof header)
    throw ValueError(subject(name) + " is damaged: its header could not be read whole");
  auto bytes = check_header(header, file_size, shape, name);
  return named_segment(map_fd(fd.fd, bytes, name), header.data_offset, header.count);
}

// A file under a temporary name, removed unless it was published.
struct temp_file {
  std::string path;
  int fd = -1;
  ~temp_file() {
    if (fd >= 0)
      ::close(fd);
    if (!path.empty())
      ::unlink(path.c_str());
  }
};

// Returns nothing when the name exists already.
std::optional<named_segment>
create_new(const std::string& name, const segment_shape& shape,
           void (*init)(void*, std::size_t, const void*), const void* arg,
           const named_options& options) {
  static std::atomic<unsigned> serial{0};
  auto path = path_of(name);
  if ((options.mode & ~mode_t{0777}) != 0 || (options.mode & 0600) != 0600)
    throw ValueError(subject(name) + ": mode " + octal(options.mode)
                     + " must be permission bits that let the owner read and write");
  auto align = shape.elem_align < alignof(std::max_align_t) ? alignof(std::max_align_t)
                                                            : shape.elem_align;
  auto offset = (sizeof(named_segment_data) + align - 1) / align * align;
  auto slots = shape.count == 0 ? std::size_t{1} : shape.count;
  auto limit = static_cast<std::size_t>(std::numeric_limits<off_t>::max());
  if (slots > (limit - offset) / shape.elem_size)
    throw ValueError(subject(name) + ": " + std::to_string(shape.count) + " elements of "
                     + std::to_string(shape.elem_size) + " bytes do not fit in a file");
  auto bytes = offset + shape.elem_size * slots;

  temp_file tmp;
  auto tmp_path = path + ".tmp." + std::to_string(getpid()) + "."
                  + std::to_string(serial++);
  tmp.fd = ::open(tmp_path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                  0600);
  if (tmp.fd < 0)
    throw_os(name, "create " + tmp_path, errno);
  tmp.path = tmp_path;
  if (fchmod(tmp.fd, options.mode) != 0)
    throw_os(name, "fchmod", errno);
  // Reserve every page now: a full /dev/shm fails here, not with a SIGBUS
  // when an element is first written.
  if (int err = posix_fallocate(tmp.fd, 0, static_cast<off_t>(bytes)); err != 0)
    throw OSError(subject(name) + ": cannot reserve " + std::to_string(bytes) + " bytes ("
                    + std::to_string((bytes + (1 << 20) - 1) >> 20) + " MiB: "
                    + std::to_string(shape.count) + " elements of "
                    + std::to_string(shape.elem_size) + " bytes) in " + shm_dir + ": "
                    + std::strerror(err),
                  err);
  auto mapping = map_fd(tmp.fd, bytes, name);
  auto* h = mapping.get();
  h->version = named_segment_data::current_version;
  h->header_size = sizeof(named_segment_data);
  h->elem_size = shape.elem_size;
  h->elem_align = shape.elem_align;
  h->count = shape.count;
  h->data_offset = offset;
  h->typecode = shape.typecode;
  std::strncpy(h->type_name, shape.type_name.c_str(), sizeof(h->type_name) - 1);
  h->lock.init(true);
  named_segment seg{std::move(mapping), offset, shape.count};
  if (init != nullptr)
    init(seg.elements(), shape.count, arg);
  h->magic = named_segment_data::magic_value;
  // Publish: link() fails if the name exists, so exactly one creator wins.
  if (::link(tmp_path.c_str(), path.c_str()) != 0) {
    if (errno == EEXIST)
      return std::nullopt;
    throw_os(name, "link", errno);
  }
  return seg;
}

} // namespace

named_segment named_segment::attach(const std::string& name, open_mode mode,
                                    const segment_shape& shape,
                                    void (*init)(void*, std::size_t, const void*),
                                    const void* init_arg,
                                    const named_options& options) {
  switch (mode) {
    case open_mode::open_only:
      return open_existing(name, shape, options);
    case open_mode::create_only: {
      auto seg = create_new(name, shape, init, init_arg, options);
      if (!seg)
        throw FileExistsError(subject(name) + " exists already", EEXIST);
      return *seg;
    }
    case open_mode::open_or_create:
    default:
      for (;;) {
        try {
          return open_existing(name, shape, options);
        } catch (const FileNotFoundError&) {
          // fall through to creating it
        }
        if (auto seg = create_new(name, shape, init, init_arg, options))
          return *seg;
        // Somebody created it between our open and our create: open theirs.
      }
  }
}

bool named_segment::unlink(const std::string& name) {
  auto path = path_of(name);
  if (::unlink(path.c_str()) == 0)
    return true;
  if (errno == ENOENT)
    return false;
  throw_os(name, "unlink", errno);
}

} // namespace mpactor

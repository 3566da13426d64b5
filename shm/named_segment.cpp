#include <mpactor/shm/named_segment.hpp>

#include <atomic>
#include <cerrno>
#include <cstring>

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

std::string errno_text() {
  return std::strerror(errno);
}

std::shared_ptr<named_segment_data> map_fd(int fd, const std::string& name) {
  struct stat st {};
  if (fstat(fd, &st) != 0)
    throw Error("named shared object '" + name + "': " + errno_text());
  auto bytes = static_cast<std::size_t>(st.st_size);
  if (bytes < sizeof(named_segment_data))
    throw TypeError("named shared object '" + name
                    + "' is not an mpactor segment (too small)");
  void* addr = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (addr == MAP_FAILED)
    throw Error("named shared object '" + name + "': mmap: " + errno_text());
  auto* header = static_cast<named_segment_data*>(addr);
  return std::shared_ptr<named_segment_data>(
    header, [bytes](named_segment_data* p) { munmap(p, bytes); });
}

std::shared_ptr<named_segment_data>
open_existing(const std::string& name, const segment_shape& shape) {
  auto path = path_of(name);
  int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT)
      throw FileNotFoundError("named shared object '" + name
                              + "' does not exist");
    throw Error("named shared object '" + name + "': " + errno_text());
  }
  std::shared_ptr<named_segment_data> seg;
  try {
    seg = map_fd(fd, name);
  } catch (...) {
    ::close(fd);
    throw;
  }
  ::close(fd);
  if (seg->magic != named_segment_data::magic_value)
    throw TypeError("named shared object '" + name
                    + "' is not an mpactor segment");
  std::string stored{seg->type_name, strnlen(seg->type_name, sizeof(seg->type_name))};
  if (seg->elem_size != shape.elem_size || stored != shape.type_name)
    throw TypeError("named shared object '" + name + "' holds " + stored + " ("
                    + std::to_string(seg->elem_size) + " bytes), not "
                    + shape.type_name + " ("
                    + std::to_string(shape.elem_size) + " bytes)");
  return seg;
}

// Returns nullptr when the name exists already.
std::shared_ptr<named_segment_data>
create_new(const std::string& name, const segment_shape& shape,
           void (*init)(void*, std::size_t, const void*), const void* arg) {
  static std::atomic<unsigned> serial{0};
  auto path = path_of(name);
  auto tmp = path + ".tmp." + std::to_string(getpid()) + "."
             + std::to_string(serial++);
  int fd = ::open(tmp.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    throw Error("named shared object '" + name + "': " + errno_text());
  auto fail = [&](const std::string& what) {
    ::close(fd);
    ::unlink(tmp.c_str());
    throw Error("named shared object '" + name + "': " + what);
  };
  fchmod(fd, 0600);
  auto align = shape.elem_align < alignof(std::max_align_t) ? alignof(std::max_align_t)
                                                            : shape.elem_align;
  auto offset = (sizeof(named_segment_data) + align - 1) / align * align;
  auto bytes = offset + shape.elem_size * (shape.count == 0 ? 1 : shape.count);
  if (ftruncate(fd, static_cast<off_t>(bytes)) != 0)
    fail(errno_text());
  std::shared_ptr<named_segment_data> seg;
  try {
    seg = map_fd(fd, name);
  } catch (const Error& e) {
    fail(e.what());
  }
  auto* h = seg.get();
  h->elem_size = shape.elem_size;
  h->count = shape.count;
  h->data_offset = offset;
  std::strncpy(h->type_name, shape.type_name.c_str(), sizeof(h->type_name) - 1);
  h->lock.init(true);
  if (init != nullptr)
    init(named_segment::data(h), shape.count, arg);
  h->magic = named_segment_data::magic_value;
  // Publish: link() fails if the name exists, so exactly one creator wins.
  int rc = ::link(tmp.c_str(), path.c_str());
  int err = errno;
  ::close(fd);
  ::unlink(tmp.c_str());
  if (rc != 0) {
    if (err == EEXIST)
      return nullptr;
    throw Error("named shared object '" + name + "': " + std::strerror(err));
  }
  return seg;
}

} // namespace

std::shared_ptr<named_segment_data>
named_segment::attach(const std::string& name, open_mode mode,
                      const segment_shape& shape,
                      void (*init)(void*, std::size_t, const void*),
                      const void* init_arg) {
  switch (mode) {
    case open_mode::open_only:
      return open_existing(name, shape);
    case open_mode::create_only: {
      auto seg = create_new(name, shape, init, init_arg);
      if (!seg)
        throw FileExistsError("named shared object '" + name
                              + "' exists already");
      return seg;
    }
    case open_mode::open_or_create:
    default:
      for (;;) {
        try {
          return open_existing(name, shape);
        } catch (const FileNotFoundError&) {
          // fall through to creating it
        }
        if (auto seg = create_new(name, shape, init, init_arg))
          return seg;
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
  throw Error("named shared object '" + name + "': " + errno_text());
}

} // namespace mpactor

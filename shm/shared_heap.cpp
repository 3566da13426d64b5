#include <mpactor/shm/shared_heap.hpp>

#include <atomic>
#include <cstring>
#include <mutex>
#include <new>
#include <string>
#include <vector>

#include <sys/mman.h>
#include <unistd.h>

#include <boost/interprocess/managed_external_buffer.hpp>

#include <mpactor/shm/error.hpp>

namespace mpactor {

namespace {

namespace bip = boost::interprocess;

void* map_shared(std::size_t size) {
  void* addr = mmap(nullptr, size, PROT_READ | PROT_WRITE,
                    MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (addr == MAP_FAILED)
    throw std::bad_alloc{};
  return addr;
}

struct arena {
  explicit arena(void* addr)
    : base(addr), buffer(bip::create_only, addr, shared_heap::arena_size) {
    // nop
  }
  void* base;
  bip::managed_external_buffer buffer;
};

// The heap of one process. After fork the child replaces it (see below) and
// leaks the parent's copy: its arenas belong to the parent.
struct heap_state {
  pid_t pid = getpid();
  std::mutex mtx;
  std::vector<arena*> arenas; // guarded by mtx
};

std::atomic<heap_state*> current_state{nullptr};

void reset_after_fork() {
  current_state.store(new heap_state, std::memory_order_release);
}

heap_state& state() {
  static const bool registered = [] {
    current_state.store(new heap_state);
    pthread_atfork(nullptr, nullptr, reset_after_fork);
    return true;
  }();
  (void) registered;
  return *current_state.load(std::memory_order_acquire);
}

} // namespace

std::shared_ptr<void> shared_heap::allocate(std::size_t size,
                                            std::size_t align) {
  if (size == 0)
    size = 1;
  auto page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  if (align == 0 || (align & (align - 1)) != 0 || align > page)
    throw ValueError("shared_heap: alignment " + std::to_string(align)
                     + " is not a power of two up to a page");
  if (size >= large_block) {
    auto bytes = (size + page - 1) / page * page;
    void* addr = map_shared(bytes);
    // Unmapping only drops this process's view, so any process may do it.
    return std::shared_ptr<void>(addr, [bytes](void* p) { munmap(p, bytes); });
  }
  auto& st = state();
  std::unique_lock<std::mutex> guard{st.mtx};
  void* block = nullptr;
  arena* owner = nullptr;
  for (auto* a : st.arenas) {
    block = a->buffer.allocate_aligned(size, align, std::nothrow);
    if (block != nullptr) {
      owner = a;
      break;
    }
  }
  if (block == nullptr) {
    owner = new arena(map_shared(arena_size));
    st.arenas.push_back(owner);
    block = owner->buffer.allocate_aligned(size, align, std::nothrow);
    if (block == nullptr)
      throw std::bad_alloc{};
  }
  guard.unlock();
  std::memset(block, 0, size);
  auto creator = st.pid;
  return std::shared_ptr<void>(block, [owner, creator](void* p) {
    if (getpid() != creator)
      return; // the creator frees; a child only forgets
    auto& cur = state();
    std::lock_guard<std::mutex> g{cur.mtx};
    owner->buffer.deallocate(p);
  });
}

} // namespace mpactor

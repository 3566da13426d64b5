#include <mpactor/actors/wire/secret.hpp>

#include <cstring>
#include <new>
#include <utility>

#include <openssl/crypto.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

namespace mpactor {

secret::secret(std::string_view bytes) : size_(bytes.size()) {
  if (size_ == 0)
    return;
  auto page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  mapped_ = (size_ + page - 1) / page * page;
  void* p = mmap(nullptr, mapped_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED)
    throw std::bad_alloc();
  madvise(p, mapped_, MADV_DONTDUMP);
  (void) mlock(p, mapped_);           // best effort: RLIMIT_MEMLOCK may refuse
  data_ = static_cast<char*>(p);
  std::memcpy(data_, bytes.data(), size_);
}

secret::~secret() {
  release();
}

secret::secret(secret&& other) noexcept
  : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)),
    mapped_(std::exchange(other.mapped_, 0)) {
  // nop
}

secret& secret::operator=(secret&& other) noexcept {
  if (this != &other) {
    release();
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
    mapped_ = std::exchange(other.mapped_, 0);
  }
  return *this;
}

void secret::release() noexcept {
  if (data_ == nullptr)
    return;
  OPENSSL_cleanse(data_, mapped_);
  munlock(data_, mapped_);
  munmap(data_, mapped_);
  data_ = nullptr;
  size_ = mapped_ = 0;
}

void harden_process() noexcept {
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

void wipe(std::string& s) noexcept {
  if (!s.empty())
    OPENSSL_cleanse(s.data(), s.size());
  s.clear();
  s.shrink_to_fit();
}

} // namespace mpactor

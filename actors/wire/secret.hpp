#pragma once

// secret: an authkey kept out of core dumps.
//
// The bytes live in a page of their own, excluded from core dumps
// (MADV_DONTDUMP) and locked in memory where the system allows it (so they
// are not written to swap), and are overwritten before the page is freed.
// A server keeps its authkey in one; a process that serves should also make
// itself non-dumpable (PR_SET_DUMPABLE, see harden_process()).

#include <cstddef>
#include <string>
#include <string_view>

namespace mpactor {

class secret {
public:
  secret() = default;
  explicit secret(std::string_view bytes);
  ~secret();

  secret(const secret&) = delete;
  secret& operator=(const secret&) = delete;
  secret(secret&& other) noexcept;
  secret& operator=(secret&& other) noexcept;

  std::string_view view() const noexcept { return {data_, size_}; }
  bool empty() const noexcept { return size_ == 0; }

private:
  void release() noexcept;

  char* data_ = nullptr;
  std::size_t size_ = 0;
  std::size_t mapped_ = 0;
};

/// Makes this process non-dumpable (no core file, no ptrace by other
/// processes of the same user, /proc/PID/mem closed to them).
void harden_process() noexcept;

/// Overwrites `s` (then clears it): a copy of a key that is no longer needed.
void wipe(std::string& s) noexcept;

} // namespace mpactor

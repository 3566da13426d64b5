#pragma once

// How long a blocking call may wait.
//
// A Timeout is a std::chrono duration, or none (std::nullopt): wait without
// limit. Any duration converts implicitly (`lock.acquire(true, 50ms)`);
// negative durations count as zero, as in Python.

#include <chrono>
#include <optional>

namespace mpactor {

/// A wait bound: a duration, or none for no limit.
using Timeout = std::optional<std::chrono::nanoseconds>;

/// Wait without limit.
inline constexpr std::nullopt_t none = std::nullopt;

/// The monotonic point in time at which a wait of `timeout` started now ends;
/// none stays none.
inline std::optional<std::chrono::steady_clock::time_point>
deadline_after(Timeout timeout) {
  if (!timeout)
    return std::nullopt;
  auto span = *timeout < std::chrono::nanoseconds::zero()
                ? std::chrono::nanoseconds::zero()
                : *timeout;
  return std::chrono::steady_clock::now() + span;
}

} // namespace mpactor

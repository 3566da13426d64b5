#pragma once

// slice: Python's slice object, for `list[slice(a, b)]` (Python's l[a:b]),
// `list[slice(a, b, step)]` and `list.erase(slice(...))` (del l[a:b]).
// An omitted bound is `none`: slice(2, none) is l[2:], slice(none, none, -1)
// is l[::-1]. Bounds may be negative and are clamped as Python clamps them;
// a step of 0 is a ValueError raised by the server.

#include <optional>

#include <mpactor/actors/core/json.hpp>

namespace mpactor {

struct slice {
  /// slice(stop): l[:stop].
  explicit slice(std::optional<long> stop_) : stop(stop_) {
    // nop
  }

  /// slice(start, stop[, step]): l[start:stop:step].
  slice(std::optional<long> start_, std::optional<long> stop_, std::optional<long> step_ = {})
    : start(start_), stop(stop_), step(step_) {
    // nop
  }

  std::optional<long> start;
  std::optional<long> stop;
  std::optional<long> step;

  /// The slice as call arguments: {"start", "stop", "step"}, null for none.
  json to_args() const {
    auto opt = [](const std::optional<long>& x) { return x ? json(*x) : json{}; };
    return {{"start", opt(start)}, {"stop", opt(stop)}, {"step", opt(step)}};
  }
};

} // namespace mpactor

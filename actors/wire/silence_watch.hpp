#pragma once

// silence_watch: how a client tells a frozen server from a slow one.
//
// A client waiting for replies reads with a deadline ping_interval away.
// Each time that deadline passes with nothing read, on_timeout() pings the
// server (once per silence); a server that sends nothing, not even a pong,
// for dead_after is taken for frozen or cut off: ConnectionError. Anything
// read resets the watch (heard()). The server answers pings at once, even
// while calls are pending, and beats for a connection whose call runs long.

#include <chrono>
#include <string>

#include <mpactor/actors/wire/frame_socket.hpp>
#include <mpactor/shm/error.hpp>

namespace mpactor {

class silence_watch {
public:
  using clock = std::chrono::steady_clock;

  static constexpr std::chrono::milliseconds ping_interval{500};
  static constexpr std::chrono::milliseconds dead_after{1500};

  /// The deadline of the next read.
  static clock::time_point next_deadline() { return clock::now() + ping_interval; }

  /// Something came from the server (a reply, a pong, ...).
  void heard() noexcept {
    last_ = clock::now();
    pinged_ = false;
  }

  /// A read reached its deadline: pings `sock`, or raises ConnectionError
  /// once the server has been silent for dead_after.
  void on_timeout(frame_socket& sock) {
    if (clock::now() - last_ >= dead_after)
      throw ConnectionError("the manager did not answer for "
                            + std::to_string(dead_after.count())
                            + " ms (frozen or unreachable)");
    if (!pinged_) {
      wire_frame ping;
      ping.kind = frame_kind::ping;
      sock.write(ping);
      pinged_ = true;
    }
  }

private:
  clock::time_point last_ = clock::now();
  bool pinged_ = false;
};

} // namespace mpactor

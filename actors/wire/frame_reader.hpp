#pragma once

// frame_reader: cuts a byte stream into wire_frames, for an event loop.
//
// Bytes are given as they arrive (feed); whole frames come out in order.
// The buffer holds only bytes that arrived: a peer that announces a 64 MiB
// frame and sends 4 bytes costs 4 bytes, not 64 MiB. An announced size over
// the limit is a protocol_error before any of its body is read. When whole
// frames are fed, they are decoded in place, with no copy into the buffer.
// One thread at a time.

#include <cstddef>
#include <cstring>
#include <optional>
#include <string>

#include <mpactor/actors/wire/wire_frame.hpp>

namespace mpactor {

class frame_reader {
public:
  explicit frame_reader(std::size_t max_frame) : max_frame_(max_frame) {
    // nop
  }

  /// Limit of the next frames (a handshake's is smaller than a session's).
  void max_frame(std::size_t bytes) noexcept { max_frame_ = bytes; }
  std::size_t max_frame() const noexcept { return max_frame_; }

  /// Bytes of an unfinished frame kept between feeds.
  std::size_t buffered() const noexcept { return buf_.size() - begin_; }

  /// Takes `n` bytes; calls `on_frame(wire_frame&&)` for each whole frame,
  /// in order, until it returns false (the rest is kept for next()).
  /// Throws protocol_error on a frame that breaks the protocol.
  template <class F>
  void feed(const char* data, std::size_t n, F&& on_frame) {
    if (buffered() == 0) {
      // The common case: decode straight from the caller's bytes.
      std::size_t used = 0;
      while (n - used >= 4) {
        auto size = announced(data + used);
        if (n - used < 4 + size)
          break;
        auto f = wire_frame::decode(data + used + 4, size);
        used += 4 + size;
        if (!on_frame(std::move(f))) {
          keep(data + used, n - used);
          return;
        }
      }
      if (n - used >= 4)
        (void) announced(data + used); // refuse an oversized claim at once
      keep(data + used, n - used);
      return;
    }
    keep(data, n);
    while (auto f = next())
      if (!on_frame(std::move(*f)))
        return;
  }

  /// The next whole buffered frame, if there is one.
  std::optional<wire_frame> next() {
    if (buffered() < 4)
      return std::nullopt;
    auto size = announced(buf_.data() + begin_);
    if (buffered() < 4 + size)
      return std::nullopt;
    auto f = wire_frame::decode(buf_.data() + begin_ + 4, size);
    begin_ += 4 + size;
    if (begin_ == buf_.size())
      release();
    return f;
  }

private:
  std::size_t announced(const char* p) const {
    auto* u = reinterpret_cast<const unsigned char*>(p);
    std::size_t size = u[0] | (u[1] << 8) | (u[2] << 16) | (static_cast<std::size_t>(u[3]) << 24);
    if (size > max_frame_)
      throw protocol_error("frame of " + std::to_string(size) + " bytes exceeds the limit of "
                           + std::to_string(max_frame_));
    return size;
  }

  void keep(const char* data, std::size_t n) {
    if (n == 0)
      return;
    if (begin_ > 0 && begin_ == buf_.size())
      release();
    if (begin_ > 0 && begin_ >= buf_.size() / 2) {
      buf_.erase(0, begin_);
      begin_ = 0;
    }
    buf_.append(data, n); // grows with what arrived, never with a claim
  }

  // An idle connection keeps no buffer.
  void release() {
    std::string{}.swap(buf_);
    begin_ = 0;
  }

  std::size_t max_frame_;
  std::string buf_;
  std::size_t begin_ = 0;
};

} // namespace mpactor

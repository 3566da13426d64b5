#include <mpactor/actors/server/python_connection.hpp>

#include <mpactor/actors/wire/wire_frame.hpp>

namespace mpactor {

namespace {

// What Python's answer_challenge and deliver_challenge read at most.
constexpr std::size_t handshake_max = 256;

} // namespace

python_connection::python_connection(python_connection_host& host, socket_type sock,
                                     std::uint64_t id, std::string peer)
  : stream_connection(host, std::move(sock), id, std::move(peer)), host_(host),
    handshake_(host.accept_md5()) {
  // nop
}

void python_connection::started() {
  send_message(handshake_.challenge());
}

void python_connection::send_message(std::string_view payload) {
  std::string bytes(header_room, '\0');
  bytes.append(payload);
  send_framed(std::move(bytes));
}

std::string python_connection::header(std::uint64_t n) {
  std::string out;
  int shift = 24;
  if (n > 0x7fffffff) {
    out.assign("\xff\xff\xff\xff", 4);
    shift = 56;
  }
  for (; shift >= 0; shift -= 8)
    out.push_back(static_cast<char>((n >> shift) & 0xff));
  return out;
}

void python_connection::send_framed(std::string message) {
  // In place when the header fits the room (always, but for 2 GiB).
  message.replace(0, header_room, header(message.size() - header_room));
  send_bytes(std::move(message));
}

void python_connection::received(const char* data, std::size_t n) {
  buf_.append(data, n);
  std::size_t used = 0;
  while (!closing()) {
    auto left = buf_.size() - used;
    if (left < 4)
      break;
    auto* p = reinterpret_cast<const unsigned char*>(buf_.data() + used);
    std::uint64_t size = (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16)
                         | (std::uint32_t{p[2]} << 8) | p[3];
    std::size_t header = 4;
    if (size == 0xffffffffu) {
      if (left < 12)
        break;
      size = 0;
      for (int i = 4; i < 12; ++i)
        size = (size << 8) | p[i];
      header = 12;
    } else if (size > 0x7fffffff) {
      throw protocol_error("negative message length");
    }
    auto max = authenticated() ? host_.limits().max_frame : handshake_max;
    if (size > max)
      throw protocol_error("message of " + std::to_string(size) + " bytes (limit "
                           + std::to_string(max) + ")");
    if (left < header + size)
      break;
    auto message = std::string_view{buf_}.substr(used + header, size);
    used += header + size;
    on_message(message);
  }
  buf_.erase(0, used);
}

void python_connection::on_message(std::string_view message) {
  if (authenticated()) {
    note_busy();
    host_.handle(*this, message);
    return;
  }
  auto s = handshake_.next(message, host_.authkey());
  for (auto& r : s.replies)
    send_message(r);
  if (s.failed) {
    flush();
    if (close("Python client refused: " + s.why))
      host_.dropped(stream_host::drop::authentication);
    return;
  }
  if (s.done)
    authenticated_ = true;
}

void python_connection::pending(std::uint64_t request, python::native_call call) {
  std::lock_guard<std::mutex> guard{pending_mtx_};
  pending_request_ = request;
  pending_ = std::move(call);
}

std::optional<python::native_call> python_connection::take_pending(std::uint64_t request) {
  std::lock_guard<std::mutex> guard{pending_mtx_};
  if (request != pending_request_ || !pending_)
    return std::nullopt;
  auto out = std::move(pending_);
  pending_.reset();
  return out;
}

void python_connection::ended() {
  host_.closed(*this);
}

} // namespace mpactor

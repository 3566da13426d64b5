#include <mpactor/actors/connection.hpp>

#include <mpactor/actors/error_code.hpp>
#include <mpactor/actors/handshake.hpp>
#include <mpactor/shm/error.hpp>

namespace mpactor {

namespace {

int open_socket(const Address& addr, std::chrono::milliseconds timeout) {
  return frame_socket::connect_to(addr, std::chrono::steady_clock::now() + timeout);
}

} // namespace

connection::connection(const Address& addr, const std::string& authkey,
                       std::uint64_t session, std::chrono::milliseconds timeout)
  : sock_(open_socket(addr, timeout)) {
  sock_.spin(std::chrono::microseconds(spin_us));
  try {
    incarnation_ = client_handshake(sock_, authkey, session, timeout);
  } catch (...) {
    broken_ = true;
    throw;
  }
}

json connection::call(std::uint64_t object, const std::string& method, json args) {
  if (broken_)
    throw ConnectionError("connection to the manager is broken");
  wire_frame req;
  req.kind = frame_kind::call;
  req.request = next_request_++;
  req.object = object;
  req.method = method;
  req.body = std::move(args);
  using clock = std::chrono::steady_clock;
  try {
    sock_.write(req);
    auto last_heard = clock::now();
    bool pinged = false;
    for (;;) {
      auto f = sock_.read(clock::now() + ping_interval);
      if (!f) {
        if (clock::now() - last_heard >= dead_after)
          throw ConnectionError("the manager did not answer for "
                                + std::to_string(dead_after.count())
                                + " ms (frozen or unreachable)");
        if (!pinged) {
          wire_frame ping;
          ping.kind = frame_kind::ping;
          sock_.write(ping);
          pinged = true;
        }
        continue;
      }
      last_heard = clock::now();
      if (f->kind == frame_kind::pong) {
        pinged = false;
        continue;
      }
      if (f->request != req.request)
        continue; // a reply to nothing we wait for: ignore it
      if (f->kind == frame_kind::reply)
        return std::move(f->body);
      if (f->kind == frame_kind::error) {
        auto code = static_cast<error_code>(f->body.value("type", 0));
        raise_error(code, f->body.value("message", std::string{"error"}));
      }
      throw protocol_error("unexpected frame in reply");
    }
  } catch (const ConnectionError&) {
    broken_ = true;
    throw;
  } catch (const protocol_error& e) {
    broken_ = true;
    throw ConnectionError(std::string{"protocol error: "} + e.what());
  }
}

void connection::notify(std::uint64_t object, const std::string& method, json args) {
  if (broken_)
    return;
  wire_frame req;
  req.kind = frame_kind::notify;
  req.object = object;
  req.method = method;
  req.body = std::move(args);
  try {
    sock_.write(req);
  } catch (const ConnectionError&) {
    broken_ = true;
  }
}

void connection::abandon() noexcept {
  broken_ = true;
  sock_.close_now();
}

} // namespace mpactor

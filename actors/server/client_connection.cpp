#include <mpactor/actors/server/client_connection.hpp>

#include <mpactor/actors/core/error_code.hpp>
#include <mpactor/shm/error.hpp>

namespace mpactor {

client_connection::client_connection(connection_host& host, socket_type sock, std::uint64_t id,
                                     std::string peer, ssl_ctx_st* tls)
  : stream_connection(host, std::move(sock), id, std::move(peer)), host_(host),
    reader_(host.limits().preauth_max_frame) {
  if (tls != nullptr) {
    tls_ = std::make_unique<tls_filter>(tls, true);
    phase_ = phase::tls;
  }
}

void client_connection::started() {
  if (!tls_) {
    handshake_.emplace();
    send(handshake_->challenge());
  }
}

void client_connection::received(const char* data, std::size_t n) {
  if (tls_) {
    std::string plain;
    {
      // Under the output lock: records go out in the order TLS made them.
      std::lock_guard<std::mutex> guard{out_mtx_};
      if (out_off_ > 0 && out_off_ == out_.size()) {
        out_.clear();
        out_off_ = 0;
      }
      tls_->feed(data, n, plain, out_);
    }
    if (phase_ == phase::tls && tls_->established()) {
      phase_ = phase::handshake;
      handshake_.emplace();
      send(handshake_->challenge());
    }
    if (!plain.empty())
      reader_.feed(plain.data(), plain.size(), [this](wire_frame&& f) {
        on_frame(std::move(f));
        return !closing();
      });
    return;
  }
  reader_.feed(data, n, [this](wire_frame&& f) {
    on_frame(std::move(f));
    return !closing();
  });
}

void client_connection::on_frame(wire_frame&& f) {
  if (phase_ == phase::serving) {
    note_busy();
    host_.handle(*this, std::move(f));
    return;
  }
  if (phase_ != phase::handshake)
    throw protocol_error("a frame before TLS was established");
  if (f.method == "hello" && !hello_seen_) {
    hello_seen_ = true;
    return;
  }
  std::string key;
  try {
    key = handshake_->check(f, host_.authkey());
  } catch (const AuthenticationError& e) {
    send(server_handshake::refusal(static_cast<int>(error_code::authentication_error),
                                   "digest received was wrong (authkey mismatch)"));
    flush();
    if (close(std::string{"refused: "} + e.what()))
      host_.dropped(stream_host::drop::authentication);
    return;
  }
  session_ = host_.open_session(*this, key);
  send(handshake_->accept(host_.authkey(), host_.incarnation(), session_));
  handshake_.reset();
  reader_.max_frame(host_.limits().max_frame);
  phase_ = phase::serving;
}

void client_connection::send(const wire_frame& f) {
  if (closing())
    return;
  std::string bytes;
  f.encode(bytes);
  send_bytes(std::move(bytes));
}

void client_connection::seal_locked(std::string& bytes) {
  if (tls_) {
    std::string sealed;
    tls_->protect(bytes.data(), bytes.size(), sealed);
    bytes.swap(sealed);
  }
}

void client_connection::ended() {
  host_.closed(*this);
}

void client_connection::idle_tick() {
  auto since = busy_since.load();
  auto now = std::chrono::duration_cast<std::chrono::nanoseconds>(
               clock::now().time_since_epoch())
               .count();
  if (since != 0 && now - since > 250'000'000) {
    wire_frame pong;
    pong.kind = frame_kind::pong;
    send(pong);
  }
}

} // namespace mpactor

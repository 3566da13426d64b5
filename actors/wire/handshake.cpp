#include <mpactor/actors/wire/handshake.hpp>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <mpactor/actors/core/error_code.hpp>
#include <mpactor/shm/error.hpp>

namespace mpactor {

namespace {

bool equal_digest(const std::string& x, const std::string& y) {
  return x.size() == y.size() && CRYPTO_memcmp(x.data(), y.data(), x.size()) == 0;
}

json as_binary(const std::string& bytes) {
  return json::binary(std::vector<std::uint8_t>(bytes.begin(), bytes.end()));
}

std::string from_binary(const json& value) {
  if (!value.is_binary())
    throw AuthenticationError("handshake: malformed message");
  auto& b = value.get_binary();
  return std::string(b.begin(), b.end());
}

wire_frame expect(frame_socket& sock, frame_socket::time_point deadline) {
  auto f = sock.read(deadline);
  if (!f)
    throw ConnectionError("handshake: peer did not answer in time");
  if (f->kind == frame_kind::error) {
    auto message = f->body.value("message", std::string{"refused"});
    if (f->body.value("type", 0) == static_cast<int>(error_code::connection_error))
      throw ConnectionError("the server refused the connection: " + message);
    throw AuthenticationError("handshake: " + message);
  }
  if (f->kind != frame_kind::call || f->method != "auth" || !f->body.is_object())
    throw AuthenticationError("handshake: unexpected message");
  return std::move(*f);
}

wire_frame auth_frame(json body) {
  wire_frame f;
  f.kind = frame_kind::call;
  f.method = "auth";
  f.body = std::move(body);
  return f;
}

} // namespace

std::string random_bytes(std::size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1)
    throw Error("no random bytes available");
  return out;
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

std::string client_digest(std::string_view authkey, const std::string& challenge) {
  return hmac_sha256(authkey, "mpactor client" + challenge);
}

std::string server_digest(std::string_view authkey, const std::string& challenge) {
  return hmac_sha256(authkey, "mpactor server" + challenge);
}

std::uint64_t client_handshake(frame_socket& sock, const std::string& authkey,
                               const std::string& session_key,
                               std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  try {
    // Said at once, without waiting for the challenge: a TLS server that
    // gets it from a plaintext client drops the connection at once, so the
    // client learns it quickly instead of at the handshake deadline.
    wire_frame hello;
    hello.method = "hello";
    hello.body = {{"version", 2}};
    sock.write(hello);
    auto challenge = expect(sock, deadline);
    auto s = from_binary(challenge.body.value("challenge", json{}));
    auto c = random_bytes(challenge_size);
    sock.write(auth_frame({{"digest", as_binary(client_digest(authkey, s))},
                           {"challenge", as_binary(c)},
                           {"session", as_binary(session_key)}}));
    auto answer = expect(sock, deadline);
    if (!equal_digest(from_binary(answer.body.value("digest", json{})),
                      server_digest(authkey, c)))
      throw AuthenticationError("handshake: the server does not know the authkey");
    return answer.body.value("incarnation", std::uint64_t{0});
  } catch (const protocol_error& e) {
    throw AuthenticationError(std::string{"handshake: "} + e.what());
  }
}

server_handshake::server_handshake() : challenge_(random_bytes(challenge_size)) {
  // nop
}

wire_frame server_handshake::challenge() const {
  return auth_frame({{"challenge", as_binary(challenge_)}});
}

std::string server_handshake::check(const wire_frame& answer, std::string_view authkey) {
  if (answer.kind != frame_kind::call || answer.method != "auth" || !answer.body.is_object())
    throw AuthenticationError("handshake: unexpected message");
  auto digest = from_binary(answer.body.value("digest", json{}));
  if (!equal_digest(digest, client_digest(authkey, challenge_)))
    throw AuthenticationError("client failed authentication (authkey mismatch)");
  auto c = from_binary(answer.body.value("challenge", json{}));
  auto key = from_binary(answer.body.value("session", json{}));
  if (c.size() != challenge_size || key.size() != session_key_size)
    throw AuthenticationError("handshake: malformed message");
  client_challenge_ = std::move(c);
  return key;
}

wire_frame server_handshake::accept(std::string_view authkey, std::uint64_t incarnation,
                                    std::uint64_t session) const {
  return auth_frame({{"digest", as_binary(server_digest(authkey, client_challenge_))},
                     {"incarnation", incarnation},
                     {"session", session}});
}

wire_frame server_handshake::refusal(int code, const std::string& message) {
  wire_frame refuse;
  refuse.kind = frame_kind::error;
  refuse.body = {{"type", code}, {"message", message}};
  return refuse;
}

} // namespace mpactor

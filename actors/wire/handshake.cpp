#include <mpactor/actors/wire/handshake.hpp>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <mpactor/actors/core/error_code.hpp>
#include <mpactor/shm/error.hpp>

namespace mpactor {

namespace {

constexpr std::size_t challenge_size = 32;

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
  if (f->kind == frame_kind::error)
    throw AuthenticationError("handshake: " + f->body.value("message", std::string{"refused"}));
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

std::string hmac_sha256(const std::string& key, const std::string& data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

std::uint64_t client_handshake(frame_socket& sock, const std::string& authkey,
                               std::uint64_t session, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  try {
    auto challenge = expect(sock, deadline);
    auto s = from_binary(challenge.body.value("challenge", json{}));
    auto c = random_bytes(challenge_size);
    sock.write(auth_frame({{"digest", as_binary(hmac_sha256(authkey, s))},
                           {"challenge", as_binary(c)},
                           {"session", session}}));
    auto answer = expect(sock, deadline);
    if (!equal_digest(from_binary(answer.body.value("digest", json{})),
                      hmac_sha256(authkey, c)))
      throw AuthenticationError("handshake: the server does not know the authkey");
    return answer.body.value("incarnation", std::uint64_t{0});
  } catch (const protocol_error& e) {
    throw AuthenticationError(std::string{"handshake: "} + e.what());
  }
}

std::uint64_t server_handshake(frame_socket& sock, const std::string& authkey,
                               std::uint64_t incarnation,
                               std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  auto s = random_bytes(challenge_size);
  sock.write(auth_frame({{"challenge", as_binary(s)}}));
  auto reply = expect(sock, deadline);
  auto digest = from_binary(reply.body.value("digest", json{}));
  if (!equal_digest(digest, hmac_sha256(authkey, s))) {
    wire_frame refuse;
    refuse.kind = frame_kind::error;
    refuse.body = {{"type", static_cast<int>(error_code::authentication_error)},
                   {"message", "digest received was wrong (authkey mismatch)"}};
    try {
      sock.write(refuse);
    } catch (const Error&) {
      // the peer is gone already
    }
    throw AuthenticationError("client failed authentication");
  }
  auto c = from_binary(reply.body.value("challenge", json{}));
  auto session = reply.body.value("session", std::uint64_t{0});
  sock.write(auth_frame({{"digest", as_binary(hmac_sha256(authkey, c))},
                         {"incarnation", incarnation}}));
  return session;
}

} // namespace mpactor

#pragma once

// handshake: mutual challenge-response on the authkey, before anything else.
//
// As Python 3.12's multiprocessing.connection, but both ways in one exchange:
//   client -> server: "hello" (said at once: a TLS server drops a plaintext
//                     client on its first bytes, instead of both waiting)
//   server -> client: 32 random bytes (challenge S)
//   client -> server: HMAC-SHA256(authkey, "mpactor client" + S),
//                     32 random bytes (challenge C),
//                     the client's session key (16 random bytes)
//   server -> client: HMAC-SHA256(authkey, "mpactor server" + C) if the
//                     client's answer matched (compared in constant time),
//                     its incarnation id and the session number it gave,
//                     else an error frame
// Neither side sends the key, replays do not work (fresh challenges), and a
// client learns that the server knows the key too. Each side signs its own
// role: an impostor without the key that relays a client's challenge to the
// client on a second connection gets a client's digest, which the client
// does not take for a server's (a reflection attack).
//
// The server numbers sessions itself. A client names its process's
// connections with a random key; connections with the same key are one
// session, and a client cannot pick another's session (it would have to
// know its key) or the server's own (0).
//
// A wrong key raises AuthenticationError on the client; the server drops that
// connection and goes on serving the others. A server that refuses a client
// for another reason (its client limit) says why, and the client raises
// ConnectionError. Each step has a deadline: a peer that stalls is dropped.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include <mpactor/actors/wire/frame_socket.hpp>

namespace mpactor {

/// `n` bytes from the system's random source.
std::string random_bytes(std::size_t n);

/// HMAC-SHA256 of `data` under `key`.
std::string hmac_sha256(std::string_view key, std::string_view data);

/// Bytes of a challenge and of a session key.
constexpr std::size_t challenge_size = 32;
constexpr std::size_t session_key_size = 16;

/// What each side signs: the key, its role, the other side's challenge.
std::string client_digest(std::string_view authkey, const std::string& challenge);
std::string server_digest(std::string_view authkey, const std::string& challenge);

/// Runs the client's side; returns the server's incarnation id once both are
/// authenticated. AuthenticationError on a wrong key, ConnectionError on a
/// dead peer or a server that refused the connection (its client limit).
std::uint64_t client_handshake(frame_socket& sock, const std::string& authkey,
                               const std::string& session_key,
                               std::chrono::milliseconds timeout);

/// The server's side, one message at a time (for an event loop).
class server_handshake {
public:
  /// Makes a fresh challenge.
  server_handshake();

  /// The first frame: the challenge.
  wire_frame challenge() const;

  /// Checks the client's answer; returns the client's session key.
  /// AuthenticationError if it is malformed or the digest is wrong.
  std::string check(const wire_frame& answer, std::string_view authkey);

  /// The last frame, once check() passed: the server's digest, its
  /// incarnation id (random per server run, so that proxies of an earlier
  /// run are told apart) and the session number.
  wire_frame accept(std::string_view authkey, std::uint64_t incarnation,
                    std::uint64_t session) const;

  /// An error frame that refuses a client, which raises `code`.
  static wire_frame refusal(int code, const std::string& message);

private:
  std::string challenge_;
  std::string client_challenge_;
};

} // namespace mpactor

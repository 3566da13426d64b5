#pragma once

// handshake: mutual challenge-response on the authkey, before anything else.
//
// As Python 3.12's multiprocessing.connection, but both ways in one exchange:
//   server -> client: 32 random bytes (challenge S)
//   client -> server: HMAC-SHA256(authkey, S), 32 random bytes (challenge C),
//                     the client's session id
//   server -> client: HMAC-SHA256(authkey, C) if the client's answer matched
//                     (compared in constant time), else an error frame
// So neither side sends the key, replays do not work (fresh challenges), and
// a client learns that the server knows the key too. A wrong key raises
// AuthenticationError on the client; the server drops that connection and
// goes on serving the others. Each step has a deadline: a peer that stalls
// is dropped.

#include <chrono>
#include <cstdint>
#include <string>

#include <mpactor/actors/wire/frame_socket.hpp>

namespace mpactor {

/// `n` bytes from the system's random source.
std::string random_bytes(std::size_t n);

/// HMAC-SHA256 of `data` under `key`.
std::string hmac_sha256(const std::string& key, const std::string& data);

/// Runs the client's side; returns the server's incarnation id once both are
/// authenticated. AuthenticationError on a wrong key, ConnectionError on a
/// dead peer.
std::uint64_t client_handshake(frame_socket& sock, const std::string& authkey,
                               std::uint64_t session, std::chrono::milliseconds timeout);

/// Runs the server's side, telling the client the server's incarnation id
/// (random per server run, so that proxies of an earlier run are told apart);
/// returns the client's session id. Throws AuthenticationError (after telling
/// the client) or ConnectionError.
std::uint64_t server_handshake(frame_socket& sock, const std::string& authkey,
                               std::uint64_t incarnation,
                               std::chrono::milliseconds timeout);

} // namespace mpactor

#pragma once

// tls_filter: TLS for a socket driven by an event loop.
//
// The filter never touches the socket: ciphertext read from it goes in with
// feed(), plaintext comes out of it; plaintext to send goes in with
// protect(), and the ciphertext to write is appended to a buffer the caller
// owns. So the event loop reads and writes TLS connections exactly as plain
// ones. Calls are serialized by the filter's own mutex: replies encrypted on
// any thread, records decrypted on the reading one.

#include <cstddef>
#include <mutex>
#include <string>

struct ssl_ctx_st;
struct ssl_st;

namespace mpactor {

class tls_filter {
public:
  /// A server's (or client's) side of a new TLS session.
  tls_filter(ssl_ctx_st* ctx, bool server);
  ~tls_filter();

  tls_filter(const tls_filter&) = delete;
  tls_filter& operator=(const tls_filter&) = delete;

  /// Takes `n` bytes of ciphertext; appends the plaintext they complete to
  /// `plain` and what the handshake must send to `out`. ConnectionError on
  /// a failed handshake or a broken record.
  void feed(const char* data, std::size_t n, std::string& plain, std::string& out);

  /// Encrypts `n` bytes of plaintext, appending the records to `out`.
  void protect(const char* data, std::size_t n, std::string& out);

  /// Whether the handshake is over (plaintext may flow).
  bool established() const;

private:
  void drain(std::string& out); // moves pending ciphertext to `out`

  mutable std::mutex mtx_;
  ssl_st* ssl_;
};

} // namespace mpactor

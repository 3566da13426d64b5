#pragma once

// TlsConfig: mutual TLS for links between machines.
//
// When set (before start(), connect() or get_server()), every connection is
// TLS 1.2 or later, and both sides present a certificate that `ca_file`
// signed: the server refuses a client without one, and the client refuses a
// server whose certificate the CA did not sign. Host names are not checked;
// the CA is the trust boundary (as caf::openssl does). The authkey handshake
// still runs, inside the encrypted link. scripts/make_certs.sh makes a CA
// and certificates for a worked example (README, "TLS between machines").

#include <memory>
#include <string>

struct ssl_ctx_st;

namespace mpactor {

struct TlsConfig {
  std::string certificate_file; ///< this side's certificate (PEM)
  std::string private_key_file; ///< its private key (PEM)
  std::string ca_file;          ///< the CA that signs the peers' certificates

  bool enabled() const noexcept { return !certificate_file.empty(); }
};

/// An OpenSSL context for one side of a link; ValueError naming the file
/// that cannot be loaded.
std::shared_ptr<ssl_ctx_st> make_tls_context(const TlsConfig& config, bool server);

} // namespace mpactor

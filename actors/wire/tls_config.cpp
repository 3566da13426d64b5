#include <mpactor/actors/wire/tls_config.hpp>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <mpactor/shm/error.hpp>

namespace mpactor {

namespace {

std::string last_ssl_error() {
  char buf[256];
  ERR_error_string_n(ERR_get_error(), buf, sizeof(buf));
  return buf;
}

} // namespace

std::shared_ptr<ssl_ctx_st> make_tls_context(const TlsConfig& config, bool server) {
  std::shared_ptr<SSL_CTX> ctx{SSL_CTX_new(server ? TLS_server_method() : TLS_client_method()),
                               SSL_CTX_free};
  if (!ctx)
    throw Error("TLS: cannot make a context: " + last_ssl_error());
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
  if (SSL_CTX_use_certificate_chain_file(ctx.get(), config.certificate_file.c_str()) != 1)
    throw ValueError("TLS: cannot load certificate '" + config.certificate_file
                     + "': " + last_ssl_error());
  if (SSL_CTX_use_PrivateKey_file(ctx.get(), config.private_key_file.c_str(), SSL_FILETYPE_PEM) != 1)
    throw ValueError("TLS: cannot load private key '" + config.private_key_file
                     + "': " + last_ssl_error());
  if (SSL_CTX_check_private_key(ctx.get()) != 1)
    throw ValueError("TLS: the private key does not match the certificate");
  if (SSL_CTX_load_verify_locations(ctx.get(), config.ca_file.c_str(), nullptr) != 1)
    throw ValueError("TLS: cannot load CA '" + config.ca_file + "': " + last_ssl_error());
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  return ctx;
}

} // namespace mpactor

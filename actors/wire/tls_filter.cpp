#include <mpactor/actors/wire/tls_filter.hpp>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <mpactor/shm/error.hpp>

namespace mpactor {

namespace {

std::string last_error(const char* what) {
  char buf[256] = "";
  if (auto e = ERR_get_error())
    ERR_error_string_n(e, buf, sizeof(buf));
  ERR_clear_error();
  return std::string{what} + (buf[0] != 0 ? std::string{": "} + buf : std::string{});
}

} // namespace

tls_filter::tls_filter(ssl_ctx_st* ctx, bool server) : ssl_(SSL_new(ctx)) {
  if (ssl_ == nullptr)
    throw ConnectionError(last_error("TLS: cannot create a session"));
  SSL_set_bio(ssl_, BIO_new(BIO_s_mem()), BIO_new(BIO_s_mem()));
  if (server)
    SSL_set_accept_state(ssl_);
  else
    SSL_set_connect_state(ssl_);
}

tls_filter::~tls_filter() {
  SSL_free(ssl_);
}

bool tls_filter::established() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return SSL_is_init_finished(ssl_) != 0;
}

void tls_filter::drain(std::string& out) {
  auto* wbio = SSL_get_wbio(ssl_);
  char buf[16384];
  int n;
  while ((n = BIO_read(wbio, buf, sizeof(buf))) > 0)
    out.append(buf, static_cast<std::size_t>(n));
}

void tls_filter::feed(const char* data, std::size_t n, std::string& plain, std::string& out) {
  std::lock_guard<std::mutex> guard{mtx_};
  if (n > 0 && BIO_write(SSL_get_rbio(ssl_), data, static_cast<int>(n)) != static_cast<int>(n))
    throw ConnectionError("TLS: cannot buffer the records read");
  if (!SSL_is_init_finished(ssl_)) {
    int rc = SSL_do_handshake(ssl_);
    drain(out);
    if (rc != 1) {
      int err = SSL_get_error(ssl_, rc);
      if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE)
        return;
      throw ConnectionError(last_error("TLS handshake failed"));
    }
  }
  char buf[16384];
  for (;;) {
    int r = SSL_read(ssl_, buf, sizeof(buf));
    if (r > 0) {
      plain.append(buf, static_cast<std::size_t>(r));
      continue;
    }
    int err = SSL_get_error(ssl_, r);
    drain(out);
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE)
      return;
    if (err == SSL_ERROR_ZERO_RETURN)
      throw ConnectionError("TLS: the peer closed the session");
    throw ConnectionError(last_error("TLS: broken record"));
  }
}

void tls_filter::protect(const char* data, std::size_t n, std::string& out) {
  std::lock_guard<std::mutex> guard{mtx_};
  while (n > 0) {
    int w = SSL_write(ssl_, data, static_cast<int>(std::min<std::size_t>(n, 1 << 30)));
    if (w <= 0)
      throw ConnectionError(last_error("TLS: cannot encrypt"));
    data += w;
    n -= static_cast<std::size_t>(w);
    drain(out);
  }
  drain(out);
}

} // namespace mpactor

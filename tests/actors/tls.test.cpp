// Mutual TLS: a server and clients with certificates from one CA talk; a
// client without TLS, or with a certificate from another CA, is refused, as
// is a server the client's CA did not sign.

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>

#include <unistd.h>

#include <openssl/ssl.h>

#include <mpactor/actors/wire/frame_socket.hpp>
#include <mpactor/actors/wire/sigpipe_guard.hpp>
#include <mpactor/mpactor.hpp>

#include "gathering.hpp"

using namespace mpactor;

namespace {

// Certificates made once per test process by the repository's script.
const std::string& cert_dir() {
  static const std::string dir = [] {
    std::string d = "/tmp/mpactor-tls-test-" + std::to_string(getpid());
    std::string cmd = "bash " MPACTOR_SOURCE_DIR "/scripts/make_certs.sh " + d
                      + " server client >/dev/null && bash " MPACTOR_SOURCE_DIR
                        "/scripts/make_certs.sh " + d + "/other intruder >/dev/null";
    REQUIRE(std::system(cmd.c_str()) == 0);
    return d;
  }();
  return dir;
}

TlsConfig tls(const std::string& name, const std::string& ca_dir = cert_dir()) {
  auto& d = cert_dir();
  auto base = name == "intruder" ? d + "/other/" : d + "/";
  return {base + name + ".pem", base + name + ".key", ca_dir + "/ca.pem"};
}

SyncManager tls_server() {
  SyncManager m{Address{"127.0.0.1", 0}, "tls-test-key"};
  m.set_tls(tls("server"));
  m.start();
  return m;
}

} // namespace

TEST_CASE("Clients with certificates from the server's CA use it over TLS") {
  auto server = tls_server();
  auto shared = server.dict();
  shared.set("from", "server side");
  SyncManager sut{server.address(), "tls-test-key"};
  sut.set_tls(tls("client"));
  sut.connect();
  auto d = sut.create<DictProxy>("dict");
  d.set("k", 42);
  CHECK(d.get<int>("k") == 42);
  Process child([&] { d.set("child", true); });
  child.start();
  child.join();
  CHECK(child.exitcode() == 0);
  CHECK(d.get<bool>("child"));
  CHECK(shared.get<std::string>("from") == "server side");
}

// How long a refusal took; it must be seen at once, not at a deadline
// (the handshake's is 5 s): 2 s leaves room for a loaded machine.
template <class F>
std::chrono::milliseconds timed(F&& f) {
  auto t0 = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now()
                                                               - t0);
}

TEST_CASE("A client without TLS is refused by a TLS server at once") {
  auto server = tls_server();
  SyncManager sut{server.address(), "tls-test-key"};
  auto took = timed([&] { CHECK_THROWS_AS(sut.connect(), ConnectionError); });
  CHECK(took < std::chrono::seconds(2));
  CHECK(server.dict().size() == 0); // the server goes on serving
}

TEST_CASE("A TLS client is refused by a plaintext server at once") {
  SyncManager server{Address{"127.0.0.1", 0}, "tls-test-key"};
  server.start();
  SyncManager sut{server.address(), "tls-test-key"};
  sut.set_tls(tls("client"));
  auto took = timed([&] { CHECK_THROWS_AS(sut.connect(), ConnectionError); });
  CHECK(took < std::chrono::seconds(2));
  CHECK(server.dict().size() == 0);
}

TEST_CASE("A wrong authkey inside TLS is an AuthenticationError") {
  auto server = tls_server();
  SyncManager sut{server.address(), "not-the-key"};
  sut.set_tls(tls("client"));
  CHECK_THROWS_AS(sut.connect(), AuthenticationError);
  CHECK(server.dict().size() == 0);
}

TEST_CASE("A TLS server refuses TLS 1.1") {
  auto server = tls_server();
  auto& d = cert_dir();
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx{SSL_CTX_new(TLS_client_method()),
                                                        SSL_CTX_free};
  REQUIRE(ctx);
  // A client that offers TLS 1.1 at most (allowed here on purpose).
  SSL_CTX_set_security_level(ctx.get(), 0);
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_VERSION);
  SSL_CTX_set_max_proto_version(ctx.get(), TLS1_1_VERSION);
  SSL_CTX_set_cipher_list(ctx.get(), "DEFAULT:@SECLEVEL=0");
  REQUIRE(SSL_CTX_use_certificate_chain_file(ctx.get(), (d + "/client.pem").c_str()) == 1);
  REQUIRE(SSL_CTX_use_PrivateKey_file(ctx.get(), (d + "/client.key").c_str(), SSL_FILETYPE_PEM)
          == 1);
  int fd = frame_socket::connect_to(server.address(), std::chrono::steady_clock::now()
                                                        + std::chrono::seconds(5));
  std::unique_ptr<SSL, decltype(&SSL_free)> ssl{SSL_new(ctx.get()), SSL_free};
  SSL_set_fd(ssl.get(), fd);
  sigpipe_guard no_sigpipe; // the server closes as the client writes
  auto took = timed([&] { CHECK(SSL_connect(ssl.get()) != 1); });
  CHECK(took < std::chrono::seconds(2));
  ::close(fd);
  // The same client allowed TLS 1.2 gets in: the refusal was the version.
  SSL_CTX_set_max_proto_version(ctx.get(), TLS1_2_VERSION);
  int fd2 = frame_socket::connect_to(server.address(), std::chrono::steady_clock::now()
                                                         + std::chrono::seconds(5));
  std::unique_ptr<SSL, decltype(&SSL_free)> ok{SSL_new(ctx.get()), SSL_free};
  SSL_set_fd(ok.get(), fd2);
  CHECK(SSL_connect(ok.get()) == 1);
  ::close(fd2);
}

TEST_CASE("A client whose certificate another CA signed is refused") {
  auto server = tls_server();
  SyncManager sut{server.address(), "tls-test-key"};
  sut.set_tls(tls("intruder", cert_dir())); // trusts the server, but is not trusted
  CHECK_THROWS_AS(sut.connect(), ConnectionError);
  CHECK(server.dict().size() == 0);
}

TEST_CASE("A client refuses a server its CA did not sign") {
  auto server = tls_server();
  SyncManager sut{server.address(), "tls-test-key"};
  sut.set_tls(tls("client", cert_dir() + "/other")); // trusts only the other CA
  CHECK_THROWS_AS(sut.connect(), ConnectionError);
}

TEST_CASE("A missing certificate file is a ValueError naming it") {
  SyncManager sut;
  CHECK_THROWS_WITH(sut.set_tls({"/nonexistent/cert.pem", "/nonexistent/key.pem", "/nonexistent/ca.pem"}),
                    Catch::Contains("/nonexistent/cert.pem"));
}

TEST_CASE("TLS connections gather on one event loop under contention and spread after, their "
          "sessions intact") {
  if (!std::ifstream{"/proc/pressure/cpu"}.good()) {
    WARN("no /proc/pressure/cpu here: a server never gathers, nothing to check");
    return;
  }
  SyncManager m{Address{"127.0.0.1", 0}, "tls-test-key"};
  m.set_tls(tls("server"));
  server_limits limits;
  limits.io_threads = 2;
  m.set_limits(limits);
  m.start();
  mpactor_test::check_gathering(m, [&] {
    SyncManager client{m.address(), "tls-test-key"};
    client.set_tls(tls("client"));
    client.connect();
    return client;
  });
}

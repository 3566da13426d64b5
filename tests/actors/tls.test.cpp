// Mutual TLS: a server and clients with certificates from one CA talk; a
// client without TLS, or with a certificate from another CA, is refused, as
// is a server the client's CA did not sign.

#include <catch2/catch.hpp>

#include <cstdlib>
#include <string>

#include <unistd.h>

#include <mpactor/mpactor.hpp>

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

TEST_CASE("A client without TLS is refused by a TLS server") {
  auto server = tls_server();
  SyncManager sut{server.address(), "tls-test-key"};
  CHECK_THROWS_AS(sut.connect(), Error);
  CHECK(server.dict().size() == 0); // the server goes on serving
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

// mpactor-server: serves a SyncManager to clients on other machines
// (Python's `BaseManager(...).get_server().serve_forever()` as a program).
//
//   mpactor-server [--host HOST] [--port PORT] [--authkey-file FILE]
//                  [--max-frame BYTES] [--tls CERT KEY CA]
//   mpactor-server --stats HOST:PORT [--authkey-file FILE]
//
// The authkey comes from FILE or from the environment variable
// MPACTOR_AUTHKEY, never from the command line (other users can read it
// there) and it is never logged. Without one, the server makes a random key
// and only serves on loopback; binding beyond loopback without a key is
// refused. One log line per client connect and disconnect goes to stderr;
// SIGTERM or SIGINT ends it cleanly.

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include <mpactor/actors/wire/handshake.hpp>
#include <mpactor/mpactor.hpp>

namespace {

mpactor::server* running = nullptr;

void on_signal(int) {
  if (running != nullptr)
    running->shutdown(); // async-signal-safe: an atomic flag and a write()
}

void usage(std::ostream& out) {
  out << "usage: mpactor-server [--host HOST] [--port PORT] [--authkey-file FILE]\n"
         "                      [--max-frame BYTES] [--tls CERT KEY CA]\n"
         "       mpactor-server --stats HOST:PORT [--authkey-file FILE]\n"
         "Serves a SyncManager (dict, list, Namespace, Queue, locks, ...).\n"
         "The authkey is read from FILE or from $MPACTOR_AUTHKEY, never from\n"
         "the command line. Default: 127.0.0.1, a free port, a random key.\n";
}

std::string read_key_file(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  if (!in)
    throw mpactor::ValueError("cannot read authkey file '" + path + "'");
  std::stringstream ss;
  ss << in.rdbuf();
  auto key = ss.str();
  while (!key.empty() && (key.back() == '\n' || key.back() == '\r'))
    key.pop_back();
  return key;
}

} // namespace

int main(int argc, char** argv) {
  mpactor::Address addr;
  std::string key_file, stats_of;
  std::size_t max_frame = 0;
  mpactor::TlsConfig tls;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << "mpactor-server: " << a << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--help" || a == "-h") {
      usage(std::cout);
      return 0;
    } else if (a == "--host") {
      addr.host = value();
    } else if (a == "--port") {
      addr.port = static_cast<std::uint16_t>(std::stoi(value()));
    } else if (a == "--authkey-file") {
      key_file = value();
    } else if (a == "--max-frame") {
      max_frame = static_cast<std::size_t>(std::stoull(value()));
    } else if (a == "--tls") {
      tls.certificate_file = value();
      tls.private_key_file = value();
      tls.ca_file = value();
    } else if (a == "--stats") {
      stats_of = value();
    } else if (a == "--authkey") {
      std::cerr << "mpactor-server: the authkey is not taken on the command line; "
                   "use --authkey-file or MPACTOR_AUTHKEY\n";
      return 2;
    } else {
      std::cerr << "mpactor-server: unknown argument '" << a << "'\n";
      usage(std::cerr);
      return 2;
    }
  }
  try {
    std::string key;
    if (!key_file.empty())
      key = read_key_file(key_file);
    else if (const char* env = std::getenv("MPACTOR_AUTHKEY"))
      key = env;
    if (!stats_of.empty()) {
      auto colon = stats_of.rfind(':');
      if (colon == std::string::npos)
        throw mpactor::ValueError("--stats takes HOST:PORT");
      mpactor::Address target;
      target.host = stats_of.substr(0, colon);
      target.port = static_cast<std::uint16_t>(std::stoi(stats_of.substr(colon + 1)));
      mpactor::BaseManager m{target, key};
      if (tls.enabled())
        m.set_tls(tls);
      m.connect();
      std::cout << m.stats().dump(2) << "\n";
      return 0;
    }
    bool random_key = key.empty();
    mpactor::SyncManager manager{addr, random_key ? mpactor::random_bytes(32) : key};
    if (random_key && !(addr.host == "127.0.0.1" || addr.host == "localhost" || addr.host == "::1"))
      throw mpactor::ValueError("refusing to serve on " + addr.host
                                + " without an authkey (set MPACTOR_AUTHKEY or --authkey-file)");
    if (tls.enabled())
      manager.set_tls(tls);
    auto& srv = manager.get_server();
    if (max_frame > 0)
      srv.set_max_frame(max_frame);
    srv.set_logger([](const std::string& line) { std::cerr << "mpactor-server: " << line << std::endl; });
    running = &srv;
    std::signal(SIGTERM, on_signal);
    std::signal(SIGINT, on_signal);
    std::cerr << "mpactor-server: serving on " << srv.address().to_string()
              << (random_key ? " (random authkey: loopback only, for this process's children)" : "")
              << std::endl;
    srv.serve_forever();
    running = nullptr;
    std::cerr << "mpactor-server: stopped" << std::endl;
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "mpactor-server: " << e.what() << "\n";
    return 1;
  }
}

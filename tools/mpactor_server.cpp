// mpactor-server: serves a SyncManager to clients on other machines
// (Python's `BaseManager(...).get_server().serve_forever()` as a program).
//
//   mpactor-server [--host HOST] [--port PORT] [--authkey-file FILE]
//                  [--python HOST:PORT [--python-no-md5]] [--shared NAME=TYPE]...
//                  [--max-frame BYTES] [--tls CERT KEY CA] [limits...]
//   mpactor-server --stats HOST:PORT [--authkey-file FILE]
//
// The authkey comes from FILE or from the environment variable
// MPACTOR_AUTHKEY, never from the command line (other users can read it
// there) and it is never logged. Without one, the server makes a random key
// and only serves on loopback; binding beyond loopback without a key is
// refused. The key is then kept out of core dumps, the process is made
// non-dumpable and MPACTOR_AUTHKEY is removed from its environment. One log
// line per client connect and disconnect goes to stderr; SIGTERM or SIGINT
// ends it cleanly. The limits (server_limits.hpp) each have a flag.
// --shared NAME=TYPE (repeatable) makes one object of TYPE that every client
// gets by creating NAME: create("NAME") in C++, M.register('NAME');
// m.NAME() in Python.

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <mpactor/actors/wire/handshake.hpp>
#include <mpactor/actors/wire/secret.hpp>
#include <mpactor/mpactor.hpp>

namespace {

mpactor::server* running = nullptr;

void on_signal(int) {
  if (running != nullptr)
    running->shutdown(); // async-signal-safe: an atomic flag and a write()
}

void usage(std::ostream& out) {
  mpactor::server_limits d;
  out << "usage: mpactor-server [--host HOST] [--port PORT] [--authkey-file FILE]\n"
         "                      [--max-frame BYTES] [--tls CERT KEY CA] [limits]\n"
         "       mpactor-server --stats HOST:PORT [--authkey-file FILE]\n"
         "Serves a SyncManager (dict, list, Namespace, Queue, locks, ...).\n"
         "The authkey is read from FILE or from $MPACTOR_AUTHKEY, never from\n"
         "the command line. Default: 127.0.0.1, a free port, a random key.\n"
         "Limits (default):\n"
         "  --max-clients N            connections at once ("
      << d.max_clients << ", and the fd limit less 32)\n"
         "  --max-pending-calls N      unanswered calls per connection ("
      << d.max_pending_calls << ")\n"
         "  --max-frame BYTES          largest frame after authentication ("
      << d.max_frame << ")\n"
         "  --preauth-max-frame BYTES  largest frame before it ("
      << d.preauth_max_frame << ")\n"
         "  --handshake-timeout MS     time to authenticate ("
      << d.handshake_timeout.count() << ")\n"
         "  --output-limit HARD SOFT SECONDS\n"
         "                             unsent reply bytes that close a connection ("
      << d.output_hard_limit << " " << d.output_soft_limit << " " << d.output_soft_seconds.count()
      << ")\n"
         "  --io-threads N             event-loop threads (0: one per core)\n"
         "  --io-poll-us N             microseconds an event-loop thread polls after an\n"
         "                             event before it sleeps, while CPUs are not\n"
         "                             contended (100; 0: never)\n"
         "  --io-batch-when-busy 0|1   event-loop threads run as SCHED_BATCH while CPUs\n"
         "                             are contended (1)\n"
         "  --io-pack-when-busy 0|1    connections gather on one event-loop thread while\n"
         "                             CPUs are contended and it has time to spare (1)\n"
         "  --python HOST:PORT         also serve Python's multiprocessing.managers\n"
         "                             clients there (port 0: any free port; unix:PATH:\n"
         "                             a Unix socket, Python's own default)\n"
         "  --python-no-md5            refuse Python 3.11 and older clients (HMAC-MD5)\n"
         "  --shared NAME=TYPE         one object of TYPE (dict, list, Queue, ...) that every\n"
         "                             client gets by creating NAME (repeatable)\n";
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
  mpactor::server_limits limits;
  auto number = [](const std::string& flag, const std::string& text) {
    try {
      std::size_t used = 0;
      auto v = std::stoull(text, &used);
      if (used != text.size())
        throw std::invalid_argument(text);
      return static_cast<std::size_t>(v);
    } catch (const std::exception&) {
      std::cerr << "mpactor-server: " << flag << " takes a number, not '" << text << "'\n";
      std::exit(2);
    }
  };
  mpactor::TlsConfig tls;
  std::string python_at;
  bool python_md5 = true;
  std::vector<std::pair<std::string, std::string>> shared; // --shared NAME=TYPE
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
      limits.max_frame = number(a, value());
    } else if (a == "--max-clients") {
      limits.max_clients = number(a, value());
    } else if (a == "--max-pending-calls") {
      limits.max_pending_calls = number(a, value());
    } else if (a == "--preauth-max-frame") {
      limits.preauth_max_frame = number(a, value());
    } else if (a == "--handshake-timeout") {
      limits.handshake_timeout = std::chrono::milliseconds(number(a, value()));
    } else if (a == "--output-limit") {
      limits.output_hard_limit = number(a, value());
      limits.output_soft_limit = number(a, value());
      limits.output_soft_seconds = std::chrono::seconds(number(a, value()));
    } else if (a == "--io-threads") {
      limits.io_threads = static_cast<unsigned>(number(a, value()));
    } else if (a == "--io-poll-us") {
      limits.io_poll = std::chrono::microseconds(number(a, value()));
    } else if (a == "--io-batch-when-busy") {
      limits.io_batch_when_busy = number(a, value()) != 0;
    } else if (a == "--io-pack-when-busy") {
      limits.io_pack_when_busy = number(a, value()) != 0;
    } else if (a == "--tls") {
      tls.certificate_file = value();
      tls.private_key_file = value();
      tls.ca_file = value();
    } else if (a == "--python") {
      python_at = value();
    } else if (a == "--python-no-md5") {
      python_md5 = false;
    } else if (a == "--shared") {
      auto v = value();
      auto eq = v.find('=');
      if (eq == std::string::npos || eq == 0 || eq + 1 == v.size()) {
        std::cerr << "mpactor-server: --shared takes NAME=TYPE, not '" << v << "'\n";
        return 2;
      }
      shared.emplace_back(v.substr(0, eq), v.substr(eq + 1));
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
    if (std::getenv("MPACTOR_AUTHKEY") != nullptr) {
      // Out of /proc/PID/environ and of what children inherit.
      auto* env = std::getenv("MPACTOR_AUTHKEY");
      std::memset(env, 0, std::strlen(env));
      unsetenv("MPACTOR_AUTHKEY");
    }
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
    mpactor::harden_process();
    bool random_key = key.empty();
    mpactor::SyncManager manager{addr, random_key ? mpactor::random_bytes(32) : key};
    if (random_key && !(addr.host == "127.0.0.1" || addr.host == "localhost" || addr.host == "::1"))
      throw mpactor::ValueError("refusing to serve on " + addr.host
                                + " without an authkey (set MPACTOR_AUTHKEY or --authkey-file)");
    if (tls.enabled())
      manager.set_tls(tls);
    for (auto& [name, type] : shared)
      manager.register_shared(name, type);
    auto& srv = manager.get_server();
    srv.set_limits(limits);
    srv.set_logger([](const std::string& line) { std::cerr << "mpactor-server: " << line << std::endl; });
    if (!python_at.empty()) {
      mpactor::Address py;
      if (python_at.rfind("unix:", 0) == 0) {
        // Python's own managers listen on a Unix socket by default.
        py = mpactor::Address::unix_socket(python_at.substr(5));
      } else {
        auto colon = python_at.rfind(':');
        if (colon == std::string::npos)
          throw mpactor::ValueError("--python takes HOST:PORT or unix:PATH");
        py.host = python_at.substr(0, colon);
        py.port = static_cast<std::uint16_t>(number("--python", python_at.substr(colon + 1)));
      }
      if (random_key)
        throw mpactor::ValueError("--python needs an authkey (MPACTOR_AUTHKEY or --authkey-file): "
                                  "Python clients must know it");
      srv.serve_python(py, python_md5);
    }
    running = &srv;
    std::signal(SIGTERM, on_signal);
    std::signal(SIGINT, on_signal);
    std::cerr << "mpactor-server: serving on " << srv.address().to_string()
              << (random_key ? " (random authkey: loopback only, for this process's children)" : "")
              << std::endl;
    // After the native line: scripts that wait for this one know both.
    if (!python_at.empty())
      std::cerr << "mpactor-server: serving Python clients on "
                << (srv.python_address().is_unix()
                      ? srv.python_address().to_string()
                      : srv.python_address().host + ":" + std::to_string(srv.python_address().port))
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

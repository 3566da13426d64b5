#pragma once

// server_probe: what the server-limit and churn tests need to watch a
// manager's server from outside: its threads, memory maps, resident memory
// and CPU time (/proc), raw sockets to it, and a server in a forked child
// with chosen limits, a descriptor limit and a log file.

#include <catch2/catch.hpp>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <mpactor/actors/wire/frame_socket.hpp>
#include <mpactor/actors/wire/handshake.hpp>
#include <mpactor/mpactor.hpp>

namespace probe {

using clock_type = std::chrono::steady_clock;
using namespace std::chrono_literals;

/// What a process holds, from /proc.
struct footprint {
  long threads = 0;
  long maps = 0;
  long rss_kib = 0;
};

inline long status_field(pid_t pid, const std::string& name) {
  std::ifstream in{"/proc/" + std::to_string(pid) + "/status"};
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(name + ":", 0) == 0)
      return std::stol(line.substr(name.size() + 1));
  return -1;
}

inline footprint footprint_of(pid_t pid) {
  footprint f;
  f.threads = status_field(pid, "Threads");
  f.rss_kib = status_field(pid, "VmRSS");
  std::ifstream maps{"/proc/" + std::to_string(pid) + "/maps"};
  std::string line;
  while (std::getline(maps, line))
    ++f.maps;
  return f;
}

inline std::string to_string(const footprint& f) {
  return "threads=" + std::to_string(f.threads) + " maps=" + std::to_string(f.maps)
         + " rss=" + std::to_string(f.rss_kib) + " KiB";
}

/// utime + stime of `pid`, in clock ticks.
inline long cpu_ticks(pid_t pid) {
  std::ifstream in{"/proc/" + std::to_string(pid) + "/stat"};
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto close = all.rfind(')'); // the command name may hold spaces
  std::istringstream rest{all.substr(close + 2)};
  std::string field;
  long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14)
      utime = std::stol(field);
    if (i == 15)
      stime = std::stol(field);
  }
  return utime + stime;
}

/// Polls `done` every few milliseconds until it holds or `bound` passes.
/// For events only visible by asking (stats, /proc, a log file).
template <class F>
bool eventually(F done, std::chrono::milliseconds bound) {
  auto deadline = clock_type::now() + bound;
  for (;;) {
    if (done())
      return true;
    if (clock_type::now() > deadline)
      return false;
    std::this_thread::sleep_for(5ms);
  }
}

/// A raw TCP (or Unix) connection to `addr`, nothing sent.
inline int raw_connect(const mpactor::Address& addr) {
  return mpactor::frame_socket::connect_to(addr, clock_type::now() + 5s);
}

/// Whether the peer closes `fd` before `bound` (reads and drops what it sends).
inline bool closed_by_peer(int fd, std::chrono::milliseconds bound) {
  auto deadline = clock_type::now() + bound;
  char buf[4096];
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock_type::now());
    if (left.count() < 0)
      return false;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count()) + 1) <= 0)
      continue;
    auto n = ::recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
      return true;
  }
}

/// Waits until `fd` has bytes to read, up to `bound`.
inline bool readable(int fd, std::chrono::milliseconds bound) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, static_cast<int>(bound.count())) == 1;
}

/// A raw connection that passed the handshake, as a client process would.
inline std::unique_ptr<mpactor::frame_socket>
authenticated(const mpactor::Address& addr, const std::string& authkey,
              const std::string& session_key = mpactor::random_bytes(mpactor::session_key_size)) {
  auto sock = std::make_unique<mpactor::frame_socket>(raw_connect(addr));
  mpactor::client_handshake(*sock, authkey, session_key, std::chrono::milliseconds(5000));
  return sock;
}

/// Encodes a call frame.
inline std::string call_bytes(std::uint64_t request, std::uint64_t object,
                              const std::string& method, const mpactor::json& body) {
  mpactor::wire_frame f;
  f.kind = mpactor::frame_kind::call;
  f.request = request;
  f.object = object;
  f.method = method;
  f.body = body;
  std::string out;
  f.encode(out);
  return out;
}

/// A SyncManager's server in a forked child, with `limits`, an optional
/// RLIMIT_NOFILE and a log file; `client` is connected to it. The child is
/// killed on destruction (and when this process dies).
class forked_server {
public:
  explicit forked_server(const mpactor::server_limits& limits, rlim_t nofile = 0,
                         std::optional<mpactor::TlsConfig> tls = std::nullopt)
    : log_path_("/tmp/mpactor-probe-" + std::to_string(getpid()) + "-"
                + std::to_string(counter()++) + ".log") {
    int fds[2];
    REQUIRE(pipe2(fds, O_CLOEXEC) == 0);
    auto parent = getpid();
    auto key = key_;
    auto path = log_path_;
    proc_ = mpactor::Process([=] {
      ::close(fds[0]);
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (getppid() != parent)
        _exit(0);
      if (nofile != 0) {
        rlimit rl{nofile, nofile};
        if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
          _exit(3);
      }
      int log_fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
      mpactor::SyncManager m{mpactor::Address{"127.0.0.1", 0}, key};
      m.set_limits(limits);
      if (tls)
        m.set_tls(*tls);
      auto& srv = m.get_server();
      srv.set_logger([log_fd](const std::string& line) {
        auto text = line + "\n";
        (void) !::write(log_fd, text.data(), text.size());
      });
      auto port = srv.address().port;
      (void) !::write(fds[1], &port, sizeof(port));
      ::close(fds[1]);
      srv.serve_forever();
      _exit(0);
    });
    proc_.start();
    ::close(fds[1]);
    pollfd p{fds[0], POLLIN, 0};
    std::uint16_t port = 0;
    bool ok = ::poll(&p, 1, 10000) == 1 && ::read(fds[0], &port, sizeof(port)) == sizeof(port);
    ::close(fds[0]);
    REQUIRE(ok);
    address_ = mpactor::Address{"127.0.0.1", port};
  }

  ~forked_server() {
    if (proc_.pid() > 0) {
      ::kill(proc_.pid(), SIGCONT);
      ::kill(proc_.pid(), SIGKILL);
      proc_.join(5s);
    }
    ::unlink(log_path_.c_str());
  }

  forked_server(const forked_server&) = delete;
  forked_server& operator=(const forked_server&) = delete;

  pid_t pid() const { return proc_.pid(); }
  const mpactor::Address& address() const { return address_; }
  const std::string& authkey() const { return key_; }

  /// A client manager connected to it (optionally over TLS).
  mpactor::SyncManager client(std::optional<mpactor::TlsConfig> tls = std::nullopt) const {
    mpactor::SyncManager m{address_, key_};
    if (tls)
      m.set_tls(*tls);
    m.connect();
    return m;
  }

  /// The server's log so far.
  std::string log() const {
    std::ifstream in{log_path_};
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }

  /// Whether a log line containing `text` appears within `bound`.
  bool logs(const std::string& text, std::chrono::milliseconds bound = 5000ms) const {
    return eventually([&] { return log().find(text) != std::string::npos; }, bound);
  }

private:
  static int& counter() {
    static int n = 0;
    return n;
  }

  std::string key_ = "probe-key-" + std::to_string(getpid());
  std::string log_path_;
  mpactor::Process proc_;
  mpactor::Address address_;
};

} // namespace probe

#pragma once

// redis_server: a redis-server of a bench on a free 127.0.0.1 port (no
// persistence), started on construction and stopped on destruction; not
// ready() when redis-server is missing or does not come up within 2 s.

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace bench {

/// A port of 127.0.0.1 that was free a moment ago (0 if none).
inline int free_loopback_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof(a);
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0
      && ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0)
    port = ntohs(a.sin_port);
  ::close(fd);
  return port;
}

/// Whether something accepts connections on 127.0.0.1:`port`.
inline bool can_connect(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port));
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0;
  ::close(fd);
  return ok;
}

/// A redis-server on 127.0.0.1, stopped on destruction.
class redis_server {
public:
  redis_server() {
    port_ = free_loopback_port();
    if (port_ == 0)
      return;
    std::string port = std::to_string(port_);
    std::vector<std::string> args{"redis-server", "--bind",     "127.0.0.1",
                                  "--port",       port,         "--save",
                                  "",             "--appendonly", "no",
                                  "--protected-mode", "yes",    "--loglevel",
                                  "warning"};
    std::vector<char*> argv;
    for (auto& a : args)
      argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    if (posix_spawnp(&pid_, "redis-server", &fa, nullptr, argv.data(), environ) != 0)
      pid_ = 0;
    posix_spawn_file_actions_destroy(&fa);
    if (pid_ == 0)
      return;
    for (int i = 0; i < 200 && !can_connect(port_); ++i) { // up to 2 s
      int st;
      if (::waitpid(pid_, &st, WNOHANG) == pid_) { // it died (no binary?)
        pid_ = 0;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ready_ = can_connect(port_);
  }

  ~redis_server() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int st;
      ::waitpid(pid_, &st, 0);
    }
  }

  pid_t pid() const { return pid_; }
  bool ready() const { return ready_; }
  int port() const { return port_; }

private:
  pid_t pid_ = 0;
  int port_ = 0;
  bool ready_ = false;
};

} // namespace bench

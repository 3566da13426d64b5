#pragma once
// The floor of bench_python_clients: the least a server of Python's manager
// clients must do, and nothing more. One thread, one epoll loop, blocking on
// nothing; it reads frames, authenticates (python_handshake), reads each
// request's pickle, keeps one dict for every client (no objects, no actors,
// no reference counts) and writes each answer's pickle. Its rate is what any
// server design could reach with these clients on this machine: the client
// processes' own CPU sets it. The ratio of mpactor to it is what mpactor's
// design costs; the ratio of it to Python's server bounds mpactor's.
//
// It answers only what python_clients_baseline.py's dict mode sends
// (create, accept_connection, incref, decref, dummy, __setitem__,
// __getitem__); anything else gets an #ERROR.

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <mpactor/actors/python/pickle_reader.hpp>
#include <mpactor/actors/python/pickle_writer.hpp>
#include <mpactor/actors/python/python_methods.hpp>
#include <mpactor/actors/python/python_value.hpp>
#include <mpactor/actors/server/python_handshake.hpp>

namespace bench {

class python_floor_server {
public:
  /// Forks the server; on 127.0.0.1 (any port) or, with `path`, on that
  /// Unix socket; with `own_session`, in a session (and so a Linux
  /// autogroup) of its own. Call it before the process starts threads.
  python_floor_server(const std::string& key, const std::string& path, bool own_session = false) {
    int lfd = listen_on(path);
    pid = fork();
    if (pid < 0)
      throw std::runtime_error("fork");
    if (pid == 0) {
      std::signal(SIGTERM, SIG_DFL);
      prctl(PR_SET_PDEATHSIG, SIGTERM); // never outlives the bench
      if (own_session)
        setsid();
      serve(lfd, key);
      _exit(0);
    }
    ::close(lfd);
  }

  ~python_floor_server() {
    kill(pid, SIGTERM);
    waitpid(pid, nullptr, 0);
  }

  python_floor_server(const python_floor_server&) = delete;
  python_floor_server& operator=(const python_floor_server&) = delete;

  pid_t pid = 0;
  std::uint16_t port = 0;

private:
  struct conn {
    explicit conn(int f) : fd(f) {
      // nop
    }
    int fd;
    std::string in;
    mpactor::python_handshake handshake{true};
    bool authenticated = false;
  };

  int listen_on(const std::string& path) {
    int fd = -1;
    if (path.empty()) {
      fd = socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in a{};
      a.sin_family = AF_INET;
      a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      socklen_t len = sizeof a;
      if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&a), len) != 0
          || getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0)
        throw std::runtime_error("floor server: cannot bind 127.0.0.1");
      port = ntohs(a.sin_port);
    } else {
      fd = socket(AF_UNIX, SOCK_STREAM, 0);
      sockaddr_un a{};
      a.sun_family = AF_UNIX;
      if (fd < 0 || path.size() >= sizeof a.sun_path)
        throw std::runtime_error("floor server: bad socket path");
      path.copy(a.sun_path, path.size());
      ::unlink(path.c_str());
      if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0)
        throw std::runtime_error("floor server: cannot bind " + path);
    }
    if (listen(fd, 512) != 0)
      throw std::runtime_error("floor server: listen");
    return fd;
  }

  static void send_message(conn& c, std::string_view payload) {
    std::string bytes(4, '\0');
    auto n = static_cast<std::uint32_t>(payload.size());
    for (int i = 0; i < 4; ++i)
      bytes[i] = static_cast<char>((n >> (24 - 8 * i)) & 0xff);
    bytes.append(payload);
    std::size_t off = 0;
    while (off < bytes.size()) {
      auto w = ::send(c.fd, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
      if (w <= 0)
        return; // the read side sees the end
      off += static_cast<std::size_t>(w);
    }
  }

  // The reply (kind, value) to a request's items (ident, method, args, kwds).
  std::pair<const char*, mpactor::json> answer(const mpactor::json::array_t& r) {
    using namespace mpactor::python;
    auto method = r.at(1).get<std::string>();
    auto& args = py_payload(r.at(2));
    if (method == "create") {
      mpactor::json::array_t names;
      for (auto& m : exposed_methods("dict"))
        names.emplace_back(m);
      return {"#RETURN", py_tuple("1", py_tuple_of(std::move(names)))};
    }
    if (method == "__setitem__") {
      dict_[python_key(args.at(0))] = args.at(1);
      return {"#RETURN", nullptr};
    }
    if (method == "__getitem__") {
      auto it = dict_.find(python_key(args.at(0)));
      return {"#RETURN", it == dict_.end() ? mpactor::json{} : it->second};
    }
    if (method == "incref" || method == "decref" || method == "dummy"
        || method == "accept_connection")
      return {"#RETURN", nullptr};
    return {"#ERROR", py_exception("AttributeError", {method})};
  }

  void on_message(conn& c, std::string_view message, const std::string& key) {
    if (!c.authenticated) {
      auto s = c.handshake.next(message, key);
      for (auto& reply : s.replies)
        send_message(c, reply);
      c.authenticated = s.done;
      return;
    }
    // As mpactor's listener reads and answers: the request's items without
    // their tuple, its args as their items, the reply's pair without a tuple.
    auto request = reader_.read_tuple(message, 2);
    if (!request || request->size() != 4)
      throw std::runtime_error("not a request");
    auto [kind, value] = answer(*request);
    std::string bytes;
    writer_.write_pair(kind, value, bytes);
    send_message(c, bytes);
  }

  void serve(int lfd, const std::string& key) {
    int ep = epoll_create1(0);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.ptr = nullptr;
    epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
    epoll_event ready[64];
    char buf[65536];
    for (;;) {
      int n = epoll_wait(ep, ready, 64, -1);
      for (int i = 0; i < n; ++i) {
        if (ready[i].data.ptr == nullptr) {
          int fd = accept(lfd, nullptr, nullptr);
          if (fd < 0)
            continue;
          auto* c = new conn{fd};
          ev.data.ptr = c;
          epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
          send_message(*c, c->handshake.challenge());
          continue;
        }
        auto* c = static_cast<conn*>(ready[i].data.ptr);
        auto got = ::recv(c->fd, buf, sizeof buf, 0);
        bool alive = got > 0;
        if (alive) {
          c->in.append(buf, static_cast<std::size_t>(got));
          try {
            std::size_t used = 0;
            while (c->in.size() - used >= 4) {
              auto* p = reinterpret_cast<const unsigned char*>(c->in.data() + used);
              std::size_t size = (std::size_t{p[0]} << 24) | (std::size_t{p[1]} << 16)
                                 | (std::size_t{p[2]} << 8) | p[3];
              if (c->in.size() - used < 4 + size)
                break;
              on_message(*c, std::string_view{c->in}.substr(used + 4, size), key);
              used += 4 + size;
            }
            c->in.erase(0, used);
          } catch (const std::exception&) {
            alive = false;
          }
        }
        if (!alive) {
          epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, nullptr);
          ::close(c->fd);
          delete c;
        }
      }
    }
  }

  mpactor::python::pickle_reader reader_;
  mpactor::python::pickle_writer writer_;
  std::map<std::string, mpactor::json> dict_;
};

} // namespace bench

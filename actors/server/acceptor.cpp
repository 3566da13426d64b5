#include <mpactor/actors/server/acceptor.hpp>

#include <cerrno>
#include <cstring>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mpactor/actors/core/error_code.hpp>
#include <mpactor/actors/wire/frame_socket.hpp>
#include <mpactor/actors/wire/handshake.hpp>
#include <mpactor/shm/error.hpp>

namespace mpactor {

namespace {

constexpr int backlog = 511; // as Redis' tcp-backlog

int listen_on(Address& addr) {
  if (addr.is_unix()) {
    socklen_t len = 0;
    auto sa = frame_socket::unix_sockaddr(addr, len);
    if (addr.path[0] != '@')
      ::unlink(addr.path.c_str()); // a stale socket of an earlier run
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&sa), len) != 0
        || ::listen(fd, backlog) != 0) {
      auto err = std::string{std::strerror(errno)};
      if (fd >= 0)
        ::close(fd);
      throw ConnectionError("cannot listen on " + addr.to_string() + ": " + err);
    }
    if (addr.path[0] != '@')
      ::chmod(addr.path.c_str(), 0600);
    return fd;
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* res = nullptr;
  auto port = std::to_string(addr.port);
  if (int rc = getaddrinfo(addr.host.c_str(), port.c_str(), &hints, &res); rc != 0)
    throw ConnectionError("cannot resolve " + addr.to_string() + ": " + gai_strerror(rc));
  int fd = ::socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  if (fd >= 0)
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (fd < 0 || ::bind(fd, res->ai_addr, res->ai_addrlen) != 0 || ::listen(fd, backlog) != 0) {
    auto err = std::string{std::strerror(errno)};
    freeaddrinfo(res);
    if (fd >= 0)
      ::close(fd);
    throw ConnectionError("cannot listen on " + addr.to_string() + ": " + err);
  }
  freeaddrinfo(res);
  sockaddr_storage ss{};
  socklen_t len = sizeof(ss);
  getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
  if (ss.ss_family == AF_INET)
    addr.port = ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
  else
    addr.port = ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port);
  return fd;
}

int family_of(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof(ss);
  getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
  return ss.ss_family;
}

} // namespace

acceptor::acceptor(boost::asio::io_context& ioc, Address& addr)
  : ioc_(ioc), sock_(ioc), backoff_(ioc), unix_(addr.is_unix()) {
  int fd = listen_on(addr);
  int family = family_of(fd);
  sock_.assign(boost::asio::generic::stream_protocol(family, unix_ ? 0 : IPPROTO_TCP), fd);
  sock_.non_blocking(true);
  reserve_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
}

acceptor::~acceptor() {
  if (reserve_fd_ >= 0)
    ::close(reserve_fd_);
}

void acceptor::start(accept_handler on_accept, std::function<void(const std::string&)> log) {
  on_accept_ = std::move(on_accept);
  log_ = std::move(log);
  arm();
}

void acceptor::stop() {
  boost::system::error_code ignored;
  backoff_.cancel();
  sock_.close(ignored);
}

void acceptor::arm() {
  sock_.async_wait(boost::asio::socket_base::wait_read, [this](const boost::system::error_code& ec) {
    if (!ec)
      on_ready();
  });
}

void acceptor::refuse(int fd, const std::string& why) {
  std::string bytes;
  server_handshake::refusal(static_cast<int>(error_code::connection_error), why).encode(bytes);
  (void) !::send(fd, bytes.data(), bytes.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
  ::close(fd);
}

void acceptor::on_ready() {
  int lfd = sock_.native_handle();
  for (int i = 0; i < 256; ++i) {
    sockaddr_storage peer{};
    socklen_t peer_len = sizeof(peer);
    int fd = ::accept4(lfd, reinterpret_cast<sockaddr*>(&peer), &peer_len,
                       SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd >= 0) {
      if (!unix_) {
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
      }
      char host[NI_MAXHOST] = "?", serv[NI_MAXSERV] = "?";
      if (!unix_)
        getnameinfo(reinterpret_cast<sockaddr*>(&peer), peer_len, host, sizeof(host), serv,
                    sizeof(serv), NI_NUMERICHOST | NI_NUMERICSERV);
      std::string name = unix_ ? std::string{"local"} : std::string{host} + ":" + serv;
      int family = peer.ss_family == 0 ? (unix_ ? AF_UNIX : AF_INET) : peer.ss_family;
      socket_type s{ioc_};
      boost::system::error_code ec;
      s.assign(boost::asio::generic::stream_protocol(family, unix_ ? 0 : IPPROTO_TCP), fd, ec);
      if (ec) {
        ::close(fd);
        continue;
      }
      on_accept_(std::move(s), std::move(name));
      continue;
    }
    if (errno == EINTR || errno == ECONNABORTED)
      continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK)
      break;
    if (errno == EMFILE || errno == ENFILE) {
      auto now = std::chrono::steady_clock::now();
      if (now - last_log_ > std::chrono::seconds(1)) {
        last_log_ = now;
        if (log_)
          log_(std::string{"accept: "} + std::strerror(errno)
               + ": refusing new clients until descriptors are free");
      }
      if (reserve_fd_ >= 0) {
        ::close(reserve_fd_);
        reserve_fd_ = -1;
        int fd2 = ::accept4(lfd, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd2 >= 0) {
          ++refused_;
          refuse(fd2, "the server is out of file descriptors; try again later");
        }
        reserve_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (fd2 >= 0)
          continue;
      }
      backoff_.expires_after(std::chrono::milliseconds(100));
      backoff_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec)
          arm();
      });
      return;
    }
    if (log_)
      log_(std::string{"accept: "} + std::strerror(errno));
    break;
  }
  arm();
}

} // namespace mpactor

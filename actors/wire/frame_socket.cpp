#include <mpactor/actors/wire/frame_socket.hpp>

#include <cerrno>
#include <cstddef>
#include <cstring>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <mpactor/actors/wire/sigpipe_guard.hpp>
#include <mpactor/shm/error.hpp>

namespace mpactor {

namespace {

int poll_ms(std::optional<frame_socket::time_point> deadline) {
  if (!deadline)
    return -1;
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
    *deadline - std::chrono::steady_clock::now());
  if (left.count() <= 0)
    return 0;
  // Round up so that a wait never ends just before its deadline.
  return static_cast<int>(left.count()) + 1;
}

} // namespace

frame_socket::frame_socket(int fd, std::size_t max_frame)
  : fd_(fd), max_frame_(max_frame), buf_(64 * 1024) {
  // nop
}

frame_socket::~frame_socket() {
  if (ssl_ != nullptr)
    SSL_free(ssl_);
  if (fd_ >= 0)
    ::close(fd_);
}

namespace {

// Waits until `fd` is ready for `events` or `deadline`; false at the deadline.
bool wait_fd(int fd, short events, std::optional<frame_socket::time_point> deadline) {
  pollfd pfd{fd, events, 0};
  int rc;
  do {
    rc = ::poll(&pfd, 1, poll_ms(deadline));
  } while (rc < 0 && errno == EINTR);
  if (rc < 0)
    throw ConnectionError(std::string{"poll: "} + std::strerror(errno));
  return rc > 0;
}

} // namespace

void frame_socket::start_tls(ssl_ctx_st* ctx, bool server, time_point deadline) {
  ssl_ = SSL_new(ctx);
  if (ssl_ == nullptr)
    throw ConnectionError("TLS: cannot make a session");
  SSL_set_fd(ssl_, fd_);
  fcntl(fd_, F_SETFL, fcntl(fd_, F_GETFL) | O_NONBLOCK);
  for (;;) {
    sigpipe_guard no_sigpipe;
    int rc = server ? SSL_accept(ssl_) : SSL_connect(ssl_);
    if (rc == 1)
      return;
    int err = SSL_get_error(ssl_, rc);
    short events = err == SSL_ERROR_WANT_READ ? POLLIN
                   : err == SSL_ERROR_WANT_WRITE ? POLLOUT : 0;
    if (events == 0) {
      char buf[256];
      ERR_error_string_n(ERR_get_error(), buf, sizeof(buf));
      throw ConnectionError(std::string{"TLS handshake failed: "} + buf);
    }
    if (!wait_fd(fd_, events, deadline))
      throw ConnectionError("TLS handshake: the peer did not answer in time");
  }
}

bool frame_socket::fill_tls(std::optional<time_point> deadline) {
  for (;;) {
    int n, err;
    {
      std::lock_guard<std::mutex> guard{ssl_mtx_};
      sigpipe_guard no_sigpipe; // a read may answer a renegotiation
      n = SSL_read(ssl_, buf_.data() + end_, static_cast<int>(buf_.size() - end_));
      err = n > 0 ? SSL_ERROR_NONE : SSL_get_error(ssl_, n);
    }
    if (n > 0) {
      end_ += static_cast<std::size_t>(n);
      return true;
    }
    if (err == SSL_ERROR_WANT_READ) {
      if (!wait_fd(fd_, POLLIN, deadline))
        return false;
    } else if (err == SSL_ERROR_WANT_WRITE) {
      if (!wait_fd(fd_, POLLOUT, deadline))
        return false;
    } else {
      throw ConnectionError("connection closed by peer");
    }
  }
}

void frame_socket::write_tls(const std::string& bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    int n, err;
    {
      std::lock_guard<std::mutex> guard{ssl_mtx_};
      sigpipe_guard no_sigpipe;
      n = SSL_write(ssl_, bytes.data() + done, static_cast<int>(bytes.size() - done));
      err = n > 0 ? SSL_ERROR_NONE : SSL_get_error(ssl_, n);
    }
    if (n > 0) {
      done += static_cast<std::size_t>(n);
    } else if (err == SSL_ERROR_WANT_WRITE || err == SSL_ERROR_WANT_READ) {
      wait_fd(fd_, err == SSL_ERROR_WANT_WRITE ? POLLOUT : POLLIN,
              std::chrono::steady_clock::now() + std::chrono::seconds(5));
    } else {
      throw ConnectionError("send: the TLS link failed");
    }
  }
}

sockaddr_un frame_socket::unix_sockaddr(const Address& addr, socklen_t& len) {
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  if (addr.path.size() >= sizeof(sa.sun_path))
    throw ValueError("Unix socket path too long: " + addr.path);
  std::memcpy(sa.sun_path, addr.path.data(), addr.path.size());
  if (addr.path[0] == '@')
    sa.sun_path[0] = '\0'; // abstract namespace
  len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + addr.path.size());
  return sa;
}

int frame_socket::connect_to(const Address& addr,
                             std::optional<time_point> deadline) {
  if (addr.is_unix()) {
    socklen_t len = 0;
    auto sa = unix_sockaddr(addr, len);
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&sa), len) != 0) {
      auto err = std::string{std::strerror(errno)};
      if (fd >= 0)
        ::close(fd);
      throw ConnectionError("cannot connect to " + addr.to_string() + ": " + err);
    }
    return fd;
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  auto port = std::to_string(addr.port);
  if (int rc = getaddrinfo(addr.host.c_str(), port.c_str(), &hints, &res); rc != 0)
    throw ConnectionError("cannot resolve " + addr.to_string() + ": " + gai_strerror(rc));
  std::string last = "no address";
  for (auto* ai = res; ai != nullptr; ai = ai->ai_next) {
    int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
                      ai->ai_protocol);
    if (fd < 0) {
      last = std::strerror(errno);
      continue;
    }
    int rc = ::connect(fd, ai->ai_addr, ai->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
      pollfd pfd{fd, POLLOUT, 0};
      int prc;
      do {
        prc = ::poll(&pfd, 1, poll_ms(deadline));
      } while (prc < 0 && errno == EINTR);
      int err = 0;
      socklen_t len = sizeof(err);
      if (prc == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0)
        rc = 0;
      else
        errno = prc == 0 ? ETIMEDOUT : (err != 0 ? err : errno);
    }
    if (rc == 0) {
      freeaddrinfo(res);
      int flags = fcntl(fd, F_GETFL);
      fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
      int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
      return fd;
    }
    last = std::strerror(errno);
    ::close(fd);
  }
  freeaddrinfo(res);
  throw ConnectionError("cannot connect to " + addr.to_string() + ": " + last);
}

bool frame_socket::fill(std::optional<time_point> deadline) {
  if (begin_ > 0 && begin_ == end_)
    begin_ = end_ = 0;
  if (end_ == buf_.size()) {
    if (begin_ > 0) {
      std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
      end_ -= begin_;
      begin_ = 0;
    } else {
      buf_.resize(buf_.size() * 2);
    }
  }
  if (ssl_ != nullptr)
    return fill_tls(deadline);
  if (spin_.count() > 0) {
    auto until = std::chrono::steady_clock::now() + spin_;
    do {
      auto n = ::recv(fd_, buf_.data() + end_, buf_.size() - end_, MSG_DONTWAIT);
      if (n > 0) {
        end_ += static_cast<std::size_t>(n);
        return true;
      }
      if (n == 0)
        throw ConnectionError("connection closed by peer");
      if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
        throw ConnectionError(std::string{"recv: "} + std::strerror(errno));
      sched_yield(); // lets a thread that has work run on this CPU meanwhile
    } while (std::chrono::steady_clock::now() < until);
  }
  // A wait of at least one block step sleeps in recv() itself, which wakes
  // every block step to look at the deadline (SO_RCVTIMEO): one syscall per
  // reply instead of poll() and recv(). A shorter wait polls.
  auto long_wait = [&] {
    return !deadline || *deadline - std::chrono::steady_clock::now() >= block_step;
  };
  if (!timeout_set_ && long_wait()) {
    timeval tv{0, static_cast<suseconds_t>(
                    std::chrono::duration_cast<std::chrono::microseconds>(block_step).count())};
    timeout_set_ = ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0;
  }
  ssize_t n;
  for (;;) {
    if (deadline && !(timeout_set_ && long_wait())) {
      pollfd pfd{fd_, POLLIN, 0};
      int rc = ::poll(&pfd, 1, poll_ms(deadline));
      if (rc < 0 && errno == EINTR)
        continue;
      if (rc == 0)
        return false;
      if (rc < 0)
        throw ConnectionError(std::string{"poll: "} + std::strerror(errno));
    }
    n = ::recv(fd_, buf_.data() + end_, buf_.size() - end_, 0);
    if (n >= 0)
      break;
    if (errno == EINTR)
      continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK)
      break;
    // A block step passed without a byte: look at the deadline again.
    if (deadline && std::chrono::steady_clock::now() >= *deadline)
      return false;
  }
  if (n == 0)
    throw ConnectionError("connection closed by peer");
  if (n < 0)
    throw ConnectionError(std::string{"recv: "} + std::strerror(errno));
  end_ += static_cast<std::size_t>(n);
  return true;
}

std::optional<wire_frame> frame_socket::read(std::optional<time_point> deadline) {
  for (;;) {
    auto avail = end_ - begin_;
    if (avail >= 4) {
      auto* p = reinterpret_cast<const unsigned char*>(buf_.data() + begin_);
      std::size_t size = p[0] | (p[1] << 8) | (p[2] << 16)
                         | (static_cast<std::size_t>(p[3]) << 24);
      if (size > max_frame_)
        throw protocol_error("frame of " + std::to_string(size)
                             + " bytes exceeds the limit of "
                             + std::to_string(max_frame_));
      if (avail >= 4 + size) {
        auto frame = wire_frame::decode(buf_.data() + begin_ + 4, size);
        begin_ += 4 + size;
        return frame;
      }
    }
    if (!fill(deadline))
      return std::nullopt;
  }
}

bool frame_socket::has_frame() const noexcept {
  auto avail = end_ - begin_;
  if (avail < 4)
    return false;
  auto* p = reinterpret_cast<const unsigned char*>(buf_.data() + begin_);
  std::size_t size = p[0] | (p[1] << 8) | (p[2] << 16)
                     | (static_cast<std::size_t>(p[3]) << 24);
  return avail >= 4 + size || size > max_frame_;
}

void frame_socket::write(const wire_frame& frame) {
  std::string bytes;
  frame.encode(bytes);
  write_bytes(bytes);
}

void frame_socket::write_bytes(const std::string& bytes) {
  std::lock_guard<std::mutex> guard{write_mtx_};
  if (ssl_ != nullptr) {
    write_tls(bytes);
    return;
  }
  std::size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      throw ConnectionError(std::string{"send: "} + std::strerror(errno));
    }
    done += static_cast<std::size_t>(n);
  }
}

void frame_socket::close_now() noexcept {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

void frame_socket::shutdown() noexcept {
  ::shutdown(fd_, SHUT_RDWR);
}

} // namespace mpactor

#include <mpactor/actors/server/stream_connection.hpp>

#include <cerrno>
#include <cstring>

#include <sys/socket.h>
#include <unistd.h>

#include <mpactor/actors/server/io_unit.hpp>
#include <mpactor/actors/wire/wire_frame.hpp>

namespace mpactor {

namespace {

// The connection whose messages this thread handles right now: its replies
// are written together once the batch is done.
thread_local stream_connection* reading = nullptr;

// Bytes read from one socket per wake-up before the others get their turn.
constexpr std::size_t read_budget = std::size_t{1} << 20;

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
           std::chrono::steady_clock::now().time_since_epoch())
    .count();
}

} // namespace

stream_connection::stream_connection(stream_host& host, socket_type sock, std::uint64_t id,
                                     std::string peer)
  : base_host_(host), sock_(std::move(sock)), fd_(sock_.native_handle()), id_(id),
    peer_(std::move(peer)) {
  sock_.non_blocking(true);
}

stream_connection::~stream_connection() {
  boost::system::error_code ignored;
  sock_.close(ignored);
  if (owns_loose_fd_)
    ::close(fd_);
}

void stream_connection::start() {
  started();
  arm_read();
}

void stream_connection::note_busy() {
  if (busy_since.load(std::memory_order_relaxed) == 0)
    busy_since = now_ns();
}

void stream_connection::arm_read() {
  std::lock_guard<std::mutex> guard{ops_mtx_};
  // A receive, not a readiness wait: Asio re-registers a wait with
  // epoll_ctl each time, while a receive that came up short needs nothing
  // (epoll_wait, recv and send are the syscalls of a call).
  sock_.async_receive(boost::asio::buffer(inbox_),
                      [self = shared_from_this()](const boost::system::error_code& ec,
                                                  std::size_t n) { self->on_received(ec, n); });
}

void stream_connection::move_to(boost::asio::io_context& ioc, std::size_t index) {
  std::lock_guard<std::mutex> guard{move_mtx_};
  move_ioc_ = &ioc;
  move_index_ = index;
  move_wanted_ = true;
}

bool stream_connection::move_if_asked() {
  // The read handler runs (no receive is armed); a wait for writability
  // would be lost with the registration, so a connection with one moves at
  // a later read. Lock order as write_locked(): output, then operations.
  std::lock_guard<std::mutex> out{out_mtx_};
  if (write_armed_)
    return true;
  std::lock_guard<std::mutex> ops{ops_mtx_};
  boost::asio::io_context* to = nullptr;
  std::size_t index = 0;
  {
    std::lock_guard<std::mutex> guard{move_mtx_};
    to = move_ioc_;
    index = move_index_;
    move_wanted_ = false;
  }
  if (to == nullptr || index == loop_.load())
    return true;
  boost::system::error_code ec;
  auto protocol = sock_.local_endpoint(ec).protocol();
  if (ec)
    return true; // the socket is failing: the read side will see it
  sock_.release(ec);
  if (ec)
    return true;
  socket_type moved{*to};
  moved.assign(protocol, fd_, ec);
  if (!ec) {
    moved.non_blocking(true, ec);
    sock_ = std::move(moved);
    loop_ = index;
    return true;
  }
  // The other loop's epoll refused it: back where it was, or the end.
  auto why = ec.message();
  sock_.assign(protocol, fd_, ec);
  if (!ec) {
    sock_.non_blocking(true, ec);
    return true;
  }
  owns_loose_fd_ = true;
  closing_ = true;
  ::shutdown(fd_, SHUT_RDWR);
  base_host_.log("closing " + peer_ + ": could not move it to event loop "
                 + std::to_string(index) + ": " + why);
  return false;
}

void stream_connection::on_received(const boost::system::error_code& ec, std::size_t n) {
  auto* unit = io_unit::current();
  if (unit != nullptr)
    unit->busy_since = now_ns();
  struct idle_again {
    io_unit* u;
    ~idle_again() {
      if (u != nullptr)
        u->busy_since = 0;
    }
  } idle{unit};
  bool alive = !closing_;
  if (alive && ec) {
    if (ec != boost::asio::error::eof && ec != boost::asio::error::operation_aborted)
      close("recv: " + ec.message());
    alive = false;
  }
  if (alive) {
    reads_.fetch_add(1, std::memory_order_relaxed);
    reading = this;
    try {
      received(inbox_.data(), n);
      // A full inbox: more may wait, read on into the larger scratch buffer.
      if (n == inbox_.size() && !closing_)
        alive = read_some();
      else
        input_bytes_ = unread();
    } catch (const protocol_error& e) {
      close(std::string{"protocol error: "} + e.what());
      alive = false;
    } catch (const std::exception& e) {
      close(e.what());
      alive = false;
    }
    reading = nullptr;
  }
  if (!alive || closing_) {
    finish();
    return;
  }
  if (move_wanted_.load(std::memory_order_relaxed) && !move_if_asked()) {
    finish();
    return;
  }
  // Re-armed before the calls run: a ping that comes during a long call is
  // read (and answered) by another I/O thread.
  arm_read();
  if (unit != nullptr) {
    reading = this;
    unit->drain();
    reading = nullptr;
  }
  busy_since = 0;
  flush();
}

bool stream_connection::read_some() {
  thread_local char scratch[65536];
  std::size_t total = 0;
  while (total < read_budget && !closing_) {
    auto n = ::recv(fd_, scratch, sizeof(scratch), MSG_DONTWAIT);
    if (n > 0) {
      total += static_cast<std::size_t>(n);
      received(scratch, static_cast<std::size_t>(n));
      // Less than asked: nothing more waits now, and the re-armed wait
      // looks again (a recv saved per call).
      if (static_cast<std::size_t>(n) < sizeof(scratch))
        break;
      continue;
    }
    if (n == 0) {
      close("");
      return false;
    }
    if (errno == EINTR)
      continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK)
      break;
    close(std::string{"recv: "} + std::strerror(errno));
    return false;
  }
  input_bytes_ = unread();
  return true;
}

void stream_connection::send_bytes(std::string bytes) {
  if (closing_)
    return;
  bool over = false, now = false;
  std::size_t left = 0;
  {
    std::lock_guard<std::mutex> guard{out_mtx_};
    left = out_.size() - out_off_;
    // One reply is never refused for its own size; a client that leaves
    // more than the hard limit unread is.
    if (left > base_host_.limits().output_hard_limit) {
      over = true;
    } else {
      seal_locked(bytes);
      append_locked(bytes);
      now = reading != this;
    }
  }
  if (over) {
    if (close("output buffer over its hard limit (" + std::to_string(left)
              + " bytes unsent): the client does not read"))
      base_host_.dropped(stream_host::drop::output_limit);
    return;
  }
  if (now)
    flush();
}

void stream_connection::append_locked(const std::string& bytes) {
  if (out_off_ > 0 && out_off_ == out_.size()) {
    out_.clear();
    out_off_ = 0;
  }
  out_.append(bytes);
  if (!soft_since_ && out_.size() - out_off_ >= base_host_.limits().output_soft_limit)
    soft_since_ = clock::now();
}

std::size_t stream_connection::unsent() const {
  std::lock_guard<std::mutex> guard{out_mtx_};
  return out_.size() - out_off_;
}

void stream_connection::flush() {
  std::lock_guard<std::mutex> guard{out_mtx_};
  if (!write_armed_)
    write_locked();
}

void stream_connection::write_locked() {
  while (out_off_ < out_.size()) {
    auto n = ::send(fd_, out_.data() + out_off_, out_.size() - out_off_,
                    MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n > 0) {
      out_off_ += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      write_armed_ = true;
      arm_write();
      break;
    }
    // The peer is gone; the read side will see it and end the connection.
    out_.clear();
    out_off_ = 0;
    ::shutdown(fd_, SHUT_RDWR);
    closing_ = true;
    return;
  }
  auto left = out_.size() - out_off_;
  if (left == 0) {
    // An idle connection keeps no buffer.
    if (out_.capacity() > 65536)
      std::string{}.swap(out_);
    else
      out_.clear();
    out_off_ = 0;
  } else if (out_off_ > (std::size_t{1} << 20) && out_off_ > out_.size() / 2) {
    out_.erase(0, out_off_);
    out_off_ = 0;
  }
  if (left < base_host_.limits().output_soft_limit)
    soft_since_.reset();
  else if (!soft_since_)
    soft_since_ = clock::now();
}

void stream_connection::arm_write() {
  std::lock_guard<std::mutex> guard{ops_mtx_};
  sock_.async_wait(socket_type::wait_write,
                   [self = shared_from_this()](const boost::system::error_code& ec) {
                     self->on_writable(ec);
                   });
}

void stream_connection::on_writable(const boost::system::error_code& ec) {
  std::lock_guard<std::mutex> guard{out_mtx_};
  write_armed_ = false;
  if (ec || closing_)
    return;
  write_locked();
}

bool stream_connection::close(const std::string& why) {
  if (closing_.exchange(true))
    return false;
  if (!why.empty())
    base_host_.log("closing " + peer_ + ": " + why);
  // The read side wakes (end of stream) and ends the connection.
  ::shutdown(fd_, SHUT_RDWR);
  return true;
}

void stream_connection::finish() {
  if (finished_.exchange(true))
    return;
  closing_ = true;
  ::shutdown(fd_, SHUT_RDWR);
  {
    std::lock_guard<std::mutex> guard{out_mtx_};
    std::string{}.swap(out_);
    out_off_ = 0;
  }
  ended();
}

bool stream_connection::tick(clock::time_point now) {
  auto reads = reads_.load(std::memory_order_relaxed);
  if (reads != reads_ticked_) {
    reads_ticked_ = reads;
    quiet_ticks_ = 0;
  } else if (quiet_ticks_ < 255) {
    ++quiet_ticks_;
  }
  bool active = quiet_ticks_ < 4;
  if (closing_)
    return false;
  auto& lim = base_host_.limits();
  if (!authenticated()) {
    if (now - started_ > lim.handshake_timeout
        && close("no handshake within " + std::to_string(lim.handshake_timeout.count()) + " ms"))
      base_host_.dropped(stream_host::drop::handshake_timeout);
    return false;
  }
  bool over = false;
  {
    std::lock_guard<std::mutex> guard{out_mtx_};
    over = soft_since_ && now - *soft_since_ > lim.output_soft_seconds;
  }
  if (over) {
    if (close("output buffer over its soft limit (" + std::to_string(lim.output_soft_limit)
              + " bytes) for " + std::to_string(lim.output_soft_seconds.count())
              + " s: the client does not read"))
      base_host_.dropped(stream_host::drop::output_limit);
    return false;
  }
  idle_tick();
  return active;
}

bool stream_connection::note_waiting(std::uint64_t object) {
  std::lock_guard<std::mutex> guard{waiting_mtx_};
  return waiting_on_.insert(object).second;
}

std::set<std::uint64_t> stream_connection::waited_objects() {
  std::lock_guard<std::mutex> guard{waiting_mtx_};
  return waiting_on_;
}

} // namespace mpactor

#include <mpactor/actors/client/connection.hpp>

#include <mutex>
#include <set>
#include <vector>

#include <mpactor/actors/core/error_code.hpp>
#include <mpactor/actors/wire/handshake.hpp>
#include <mpactor/shm/error.hpp>

namespace mpactor {

namespace {

int open_socket(const Address& addr, std::chrono::milliseconds timeout) {
  return frame_socket::connect_to(addr, std::chrono::steady_clock::now() + timeout);
}

// Every connection of the process, so that a forked child can close them
// all: a child must not keep its parent's sessions alive. Leaked on purpose.
std::mutex& all_mtx() {
  static auto* m = new std::mutex;
  return *m;
}

std::set<connection*>& all() {
  static auto* s = [] {
    pthread_atfork(nullptr, nullptr, [] { connection::abandon_all_after_fork(); });
    return new std::set<connection*>;
  }();
  return *s;
}

} // namespace

void connection::abandon_all_after_fork() noexcept {
  new (&all_mtx()) std::mutex; // a parent thread may have held it
  for (auto* c : all())
    c->abandon();
}

connection::~connection() {
  std::lock_guard<std::mutex> guard{all_mtx()};
  all().erase(this);
}

connection::connection(const Address& addr, const std::string& authkey,
                       const std::string& session_key, std::chrono::milliseconds timeout,
                       ssl_ctx_st* tls)
  : sock_(open_socket(addr, timeout)) {
  {
    std::lock_guard<std::mutex> guard{all_mtx()};
    all().insert(this);
  }
  sock_.spin(std::chrono::microseconds(spin_us));
  try {
    if (tls != nullptr)
      sock_.start_tls(tls, false, std::chrono::steady_clock::now() + timeout);
    incarnation_ = client_handshake(sock_, authkey, session_key, timeout);
  } catch (...) {
    std::lock_guard<std::mutex> guard{all_mtx()};
    all().erase(this); // no destructor runs for a constructor that throws
    throw;
  }
}

namespace {

// Runs `f`; a lost connection or a garbled stream marks the connection
// broken, and reaches the caller as ConnectionError.
template <class F>
auto breaking(bool& broken, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const ConnectionError&) {
    broken = true;
    throw;
  } catch (const protocol_error& e) {
    broken = true;
    throw ConnectionError(std::string{"protocol error: "} + e.what());
  }
}

} // namespace

std::uint64_t connection::write_frame(frame_kind kind, std::uint64_t object,
                                      const std::string& method, json args) {
  wire_frame req;
  req.kind = kind;
  req.request = kind == frame_kind::call ? next_request_++ : 0;
  req.object = object;
  req.method = method;
  req.body = std::move(args);
  try {
    sock_.write(req);
  } catch (const ConnectionError&) {
    broken_ = true;
    throw;
  } // a protocol_error here (a method name too long) sent nothing: the link is fine
  return req.request;
}

json connection::call(std::uint64_t object, const std::string& method, json args) {
  if (broken_)
    throw ConnectionError("connection to the manager is broken");
  settle_all();
  return wait_for(write_frame(frame_kind::call, object, method, std::move(args)));
}

void connection::send(std::uint64_t object, const std::string& method, json args) {
  if (broken_)
    throw ConnectionError("connection to the manager is broken");
  raise_pending();
  if (in_flight_.size() >= max_in_flight)
    wait_for(0); // until the oldest is answered
  in_flight_.push_back(write_frame(frame_kind::call, object, method, std::move(args)));
}

void connection::call_many(std::vector<batch_call>& calls) {
  if (broken_)
    throw ConnectionError("connection to the manager is broken");
  settle_all();
  using clock = std::chrono::steady_clock;
  // The calls get consecutive request numbers from `first` on, so a reply
  // finds its call by subtraction; `open[i]`: call i awaits its reply.
  const std::uint64_t first = next_request_;
  std::vector<char> open(calls.size(), 0);
  std::size_t waiting = 0;
  std::size_t next = 0;
  std::string out;
  // Files a reply under its call; false for anything else.
  auto take = [&](wire_frame& f) {
    if (f.kind == frame_kind::pong || settle(f))
      return false;
    if (f.request < first || f.request - first >= next || !open[f.request - first])
      return false;
    auto i = static_cast<std::size_t>(f.request - first);
    auto* c = &calls[i];
    open[i] = 0;
    --waiting;
    if (f.kind == frame_kind::error) {
      c->failed = true;
      c->error = f.body.value("type", 0);
      c->message = f.body.value("message", std::string{"error"});
    } else {
      c->result = std::move(f.body);
    }
    return true;
  };
  breaking(broken_, [&] {
    wire_frame req;
    req.kind = frame_kind::call;
    while (next < calls.size() || waiting > 0) {
      // Top the window up with one write for all new frames.
      out.clear();
      while (next < calls.size() && waiting < max_in_flight) {
        auto& c = calls[next];
        req.request = next_request_++;
        req.object = c.object;
        req.method = c.method; // reuses the frame's buffer
        req.body = std::move(c.args);
        req.encode(out);
        open[next++] = 1;
        ++waiting;
        // The server starts on the first calls while the rest are encoded.
        if (out.size() >= batch_write_bytes) {
          sock_.write_bytes(out);
          out.clear();
        }
      }
      if (!out.empty())
        sock_.write_bytes(out);
      // Read until one reply is filed, then what else is already buffered.
      while (true) {
        auto f = next_frame();
        if (take(f))
          break;
      }
      // Take whatever else is already buffered without waiting.
      while (sock_.has_frame())
        if (auto f = sock_.read(clock::now()))
          take(*f);
    }
  });
}

// Reads the replies of every earlier send() (they come first on this
// connection anyway) and raises the first error among them, so that a failed
// send surfaces at the very next call, before that call is made.
void connection::settle_all() {
  while (!in_flight_.empty())
    wait_for(0);
  raise_pending();
}

void connection::raise_pending() {
  if (failed_send_) {
    auto [code, message] = std::move(*failed_send_);
    failed_send_.reset();
    raise_error(static_cast<error_code>(code), "an earlier pipelined call failed: " + message);
  }
}

bool connection::settle(wire_frame& f) {
  if (in_flight_.empty() || f.request != in_flight_.front())
    return false;
  in_flight_.pop_front();
  if (f.kind == frame_kind::error && !failed_send_)
    failed_send_.emplace(f.body.value("type", 0), f.body.value("message", std::string{"error"}));
  return true;
}

// The next frame that is not a pong (see silence_watch.hpp).
wire_frame connection::next_frame() {
  silence_watch watch;
  for (;;) {
    auto f = sock_.read(silence_watch::next_deadline());
    if (!f) {
      watch.on_timeout(sock_);
      continue;
    }
    if (f->kind != frame_kind::pong)
      return std::move(*f);
    watch.heard();
  }
}

// Reads until the reply to `request` (0: until the oldest send is settled).
json connection::wait_for(std::uint64_t request) {
  auto oldest = in_flight_.empty() ? 0 : in_flight_.front();
  return breaking(broken_, [&]() -> json {
    for (;;) {
      auto frame = next_frame();
      auto* f = &frame;
      if (settle(*f)) {
        if (request == 0 && f->request == oldest)
          return json{};
        continue;
      }
      if (f->request != request)
        continue; // a reply to nothing we wait for: ignore it
      if (f->kind == frame_kind::reply)
        return std::move(f->body);
      if (f->kind == frame_kind::error) {
        auto code = static_cast<error_code>(f->body.value("type", 0));
        raise_error(code, f->body.value("message", std::string{"error"}));
      }
      throw protocol_error("unexpected frame in reply");
    }
  });
}

void connection::notify(std::uint64_t object, const std::string& method, json args) {
  if (broken_)
    return;
  try {
    write_frame(frame_kind::notify, object, method, std::move(args));
  } catch (const ConnectionError&) {
    // marked broken; a notify has nobody to tell
  }
}

void connection::abandon() noexcept {
  broken_ = true;
  sock_.close_now();
}

} // namespace mpactor

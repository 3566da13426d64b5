#include <mpactor/actors/server/server.hpp>

#include <algorithm>
#include <cstdio>
#include <sstream>
#include <unordered_map>

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <caf/actor_companion.hpp>
#include <caf/all.hpp>

#include <mpactor/actors/core/error_code.hpp>
#include <mpactor/actors/objects/object_messages.hpp>
#include <mpactor/actors/runtime/object_actor.hpp>
#include <mpactor/actors/runtime/object_table.hpp>
#include <mpactor/actors/server/acceptor.hpp>
#include <mpactor/actors/server/client_connection.hpp>
#include <mpactor/actors/server/idle_poller.hpp>
#include <mpactor/actors/server/io_unit.hpp>
#include <mpactor/actors/server/loop_packer.hpp>
#include <mpactor/actors/server/manager_service.hpp>
#include <mpactor/actors/server/object_call.hpp>
#include <mpactor/actors/server/python_service.hpp>
#include <mpactor/actors/server/session_table.hpp>
#include <mpactor/actors/wire/handshake.hpp>
#include <mpactor/actors/wire/secret.hpp>
#include <mpactor/shm/error.hpp>

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(mpactor::caller)

namespace mpactor {

namespace {

std::size_t fd_limit() {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
    return SIZE_MAX;
  return static_cast<std::size_t>(rl.rlim_cur);
}

} // namespace

void server_limits::validate() const {
  auto bad = [](const char* what) { throw ValueError(std::string{"server limits: "} + what); };
  if (max_clients == 0)
    bad("max_clients must be at least 1");
  if (max_pending_calls == 0)
    bad("max_pending_calls must be at least 1");
  if (max_frame < 1024 || max_frame > (std::size_t{1} << 31))
    bad("max_frame must be between 1 KiB and 2 GiB");
  if (preauth_max_frame < 256 || preauth_max_frame > max_frame)
    bad("preauth_max_frame must be between 256 bytes and max_frame");
  if (handshake_timeout.count() <= 0)
    bad("handshake_timeout must be positive");
  if (output_soft_limit > output_hard_limit)
    bad("output_soft_limit must not exceed output_hard_limit");
  if (io_poll.count() < 0 || io_poll > std::chrono::milliseconds(10))
    bad("io_poll must be between 0 and 10 ms");
}

std::string server_limits::to_string() const {
  std::ostringstream out;
  out << "max_clients=" << max_clients << " max_pending_calls=" << max_pending_calls
      << " max_frame=" << max_frame << " preauth_max_frame=" << preauth_max_frame
      << " handshake_timeout_ms=" << handshake_timeout.count()
      << " output_hard_limit=" << output_hard_limit << " output_soft_limit=" << output_soft_limit
      << " output_soft_seconds=" << output_soft_seconds.count() << " io_threads=" << io_threads
      << " io_poll_us=" << io_poll.count() << " io_batch_when_busy=" << io_batch_when_busy
      << " io_pack_when_busy=" << io_pack_when_busy
      << " extra_io_threads=" << extra_io_threads;
  return out.str();
}

struct server::impl final : connection_host {
  Address addr;
  secret key; // out of core dumps
  std::shared_ptr<const object_registry> registry;
  server_limits lim;
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  object_table table;
  std::unique_ptr<manager_service> service;
  session_table sessions;
  // One event loop per I/O thread; a connection stays on the loop it was
  // given, so its events never wake another thread (a hand-off between
  // threads cost a synchronous call about a quarter of its speed). The
  // acceptors run on the first loop.
  boost::asio::io_context ioc{1};
  std::vector<std::unique_ptr<boost::asio::io_context>> more_loops;
  std::atomic<std::size_t> next_loop{0};
  std::unique_ptr<idle_poller> poller; // how the loops' threads wait (set by serve())
  std::unique_ptr<loop_packer> packer; // whether connections gather on loop 0 (set by serve())
  std::chrono::steady_clock::time_point units_ticked = std::chrono::steady_clock::now();

  boost::asio::io_context& loop(std::size_t i) { return i == 0 ? ioc : *more_loops[i - 1]; }
  std::size_t loop_count() const { return 1 + more_loops.size(); }
  std::unique_ptr<acceptor> accept;
  Address python_addr;
  std::unique_ptr<python_service> python; // set: Python clients are served too
  int wake[2] = {-1, -1};
  std::atomic<bool> stopping{false};
  std::atomic<std::uint64_t> next_connection{1};
  std::atomic<std::uint64_t> calls{0};
  std::uint64_t incarnation_id = 0;
  std::function<void(const std::string&)> logger;
  std::shared_ptr<ssl_ctx_st> tls; // set: every connection is mutual TLS
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  std::mutex rate_mtx;
  std::chrono::steady_clock::time_point rate_since = started; // guarded by rate_mtx
  std::uint64_t rate_calls = 0;                               // guarded by rate_mtx

  // Counters of what the limits did (stats()).
  std::atomic<std::uint64_t> refused_max_clients{0};
  std::atomic<std::uint64_t> refused_auth{0};
  std::atomic<std::uint64_t> closed_by_limit{0};
  std::atomic<std::uint64_t> closed_handshake_timeout{0};
  std::atomic<std::uint64_t> refused_pending{0};

  std::mutex mtx;
  std::unordered_map<std::uint64_t, std::shared_ptr<client_connection>> connections; // guarded by mtx

  std::mutex tick_mtx;
  std::condition_variable tick_cv;

  // The I/O threads' units (to see whether all are busy) and the extra
  // threads started while they were.
  std::mutex units_mtx;
  std::vector<io_unit*> units; // guarded by units_mtx
  struct extra_thread {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };
  std::vector<extra_thread> extras; // guarded by units_mtx
  std::atomic<std::uint64_t> extras_started{0};

  impl(const Address& bind, std::string authkey, std::shared_ptr<const object_registry> reg)
    : addr(bind), key(authkey), registry(std::move(reg)) {
    wipe(authkey);
    cfg.set("scheduler.policy", caf::atom("sharing"));
    cfg.set("logger.verbosity", caf::atom("quiet"));
    for (unsigned char b : random_bytes(8))
      incarnation_id = (incarnation_id << 8) | b;
    sys = std::make_unique<caf::actor_system>(cfg);
    service = std::make_unique<manager_service>(*sys, table, registry);
    table.set_creator([this](const std::string& type_id, const json& args) {
      return service->create(type_id, args);
    });
    service->on_shutdown([this] { request_stop(); });
    service->on_stats([this] { return stats(); });
    accept = std::make_unique<acceptor>(ioc, addr);
    if (pipe2(wake, O_CLOEXEC) != 0)
      throw Error("server: pipe failed");
  }

  ~impl() override {
    for (int fd : {wake[0], wake[1]})
      if (fd >= 0)
        ::close(fd);
  }

  // -- connection_host ---------------------------------------------------------

  const server_limits& limits() const noexcept override { return lim; }
  std::string_view authkey() const noexcept override { return key.view(); }
  std::uint64_t incarnation() const noexcept override { return incarnation_id; }

  void log(const std::string& line) override {
    if (logger)
      logger(line);
  }

  void dropped(drop why) override {
    switch (why) {
      case drop::output_limit:
        ++closed_by_limit;
        break;
      case drop::handshake_timeout:
        ++closed_handshake_timeout;
        break;
      case drop::authentication:
        ++refused_auth;
        break;
    }
  }

  std::uint64_t open_session(client_connection& c, const std::string& session_key) override {
    auto session = sessions.open(session_key);
    log("client " + c.peer() + " connected (session " + std::to_string(session) + ")");
    return session;
  }

  void closed(client_connection& c) override {
    bool serving = c.state() == client_connection::phase::serving;
    end_calls(c, serving ? c.session() : 0, table, sessions);
    if (serving)
      log("client " + c.peer() + " disconnected");
    std::shared_ptr<client_connection> keep; // freed outside the lock
    {
      std::lock_guard<std::mutex> guard{mtx};
      auto it = connections.find(c.id());
      if (it != connections.end()) {
        keep = std::move(it->second);
        connections.erase(it);
      }
    }
    tick_cv.notify_all(); // stop_all() may wait for the last one
  }

  void handle(client_connection& c, wire_frame&& f) override {
    calls.fetch_add(1, std::memory_order_relaxed);
    switch (f.kind) {
      case frame_kind::ping: {
        wire_frame pong;
        pong.kind = frame_kind::pong;
        c.send(pong);
        return;
      }
      case frame_kind::call:
      case frame_kind::notify:
        break;
      default:
        throw protocol_error("unexpected frame from a client");
    }
    if (f.object == 0) {
      manager_call(c, f);
      return;
    }
    auto [actor, may_wait] = table.find_call(f.object, f.method);
    if (!actor) {
      if (f.kind == frame_kind::call)
        reply_error(c, f.request, error_code::no_such_object,
                    "no managed object with id " + std::to_string(f.object)
                      + " (it was freed, or the server restarted)");
      return;
    }
    auto& ledger = *c.ledger();
    if (f.kind == frame_kind::call && ledger.pending.load() >= lim.max_pending_calls) {
      ++refused_pending;
      reply_error(c, f.request, error_code::remote_error,
                  "too many pending calls on this connection (limit "
                    + std::to_string(lim.max_pending_calls) + ")");
      return;
    }
    if (!f.body.is_object())
      f.body = json::object();
    caller who{c.session(), c.id(), f.body.value("thread", std::uint64_t{0})};
    if (enqueue_call(c, actor, f.object, may_wait, f.kind == frame_kind::call, f.request,
                     std::move(f.method), std::move(f.body), who))
      sessions.note_object(c.session(), f.object);
  }

  // -- replies -------------------------------------------------------------------

  static void reply(client_connection& c, std::uint64_t request, json body) {
    wire_frame f;
    f.kind = frame_kind::reply;
    f.request = request;
    f.body = std::move(body);
    c.send(f);
  }

  static void reply_error(client_connection& c, std::uint64_t request, error_code code,
                          const std::string& message) {
    wire_frame f;
    f.kind = frame_kind::error;
    f.request = request;
    f.body = {{"type", static_cast<int>(code)}, {"message", message}};
    c.send(f);
  }

  // The actor that turns responses of object actors into reply frames. It
  // outlives its connection: a reply that finds the connection gone goes
  // back to its object.
  caf::actor make_reply_actor(const std::shared_ptr<client_connection>& conn) {
    return mpactor::make_reply_actor(*sys, conn, [this](stream_connection& sc, std::uint64_t request,
                                                       caf::type_erased_tuple& content) {
      auto& c = static_cast<client_connection&>(sc);
      if (content.match_elements<json>()) {
        reply(c, request, std::move(content.get_mutable_as<json>(0)));
      } else if (content.match_elements<caf::error>()) {
        auto& err = content.get_as<caf::error>(0);
        if (err.category() == error_category) {
          std::string text = "error";
          if (err.context().match_elements<std::string>())
            text = err.context().get_as<std::string>(0);
          reply_error(c, request, static_cast<error_code>(err.code()), text);
        } else {
          reply_error(c, request, error_code::remote_error, sys->render(err));
        }
      } else if (content.empty()) {
        reply(c, request, json{});
      } else {
        reply_error(c, request, error_code::remote_error,
                    "unexpected reply: " + caf::to_string(content));
      }
    });
  }

  void manager_call(client_connection& c, wire_frame& f) {
    try {
      auto result = service->call(f.method, f.body, c.session());
      if (f.kind == frame_kind::call)
        reply(c, f.request, std::move(result));
    } catch (const json::exception& e) {
      if (f.kind == frame_kind::call)
        reply_error(c, f.request, error_code::type_error, e.what());
    } catch (const std::exception& e) {
      if (f.kind == frame_kind::call)
        reply_error(c, f.request, code_of(e), e.what());
    }
  }

  // -- accepting -------------------------------------------------------------------

  std::size_t effective_max_clients() const {
    auto fds = fd_limit();
    auto by_fds = fds > 64 ? fds - 32 : 32;
    return std::min(lim.max_clients, by_fds);
  }

  std::size_t open_connections() {
    std::size_t open;
    {
      std::lock_guard<std::mutex> guard{mtx};
      open = connections.size();
    }
    return open + (python ? python->connections() : 0);
  }

  void start_python(Address bind, bool accept_md5) {
    python_service::environment env{
      *sys, table, *service, sessions, registry, ioc, lim,
      [this] { return key.view(); },
      [this](const std::string& line) { log(line); },
      [this](const std::string& peer) {
        if (stopping)
          return false;
        auto open = open_connections();
        if (open >= effective_max_clients()) {
          ++refused_max_clients;
          log("refused Python client " + peer + ": " + std::to_string(open)
              + " clients, the limit");
          return false;
        }
        return true;
      },
      [this](acceptor::socket_type& sock) { return pin(sock); },
      [this](drop why) { dropped(why); }, calls};
    python = std::make_unique<python_service>(std::move(env), bind, accept_md5);
    python_addr = bind;
  }

  // Moves an accepted socket (on loop 0) to the next loop, round robin
  // (its home), or leaves it on loop 0 while connections gather there
  // (loop_packer). None if it could not be moved (the socket is closed).
  std::optional<loop_place> pin(acceptor::socket_type& sock) {
    loop_place at;
    at.home = next_loop++ % loop_count();
    at.loop = packer->packed() ? 0 : at.home;
    if (at.loop == 0)
      return at;
    boost::system::error_code ec;
    auto protocol = sock.local_endpoint(ec).protocol();
    int fd = sock.release(ec);
    if (ec)
      return std::nullopt;
    acceptor::socket_type moved{loop(at.loop)};
    moved.assign(protocol, fd, ec);
    if (ec) {
      ::close(fd);
      return std::nullopt;
    }
    sock = std::move(moved);
    return at;
  }

  void on_accept(acceptor::socket_type sock, std::string peer) {
    if (stopping)
      return;
    auto open = open_connections();
    auto max = effective_max_clients();
    if (open >= max) {
      ++refused_max_clients;
      log("refused " + peer + ": " + std::to_string(open) + " clients, the limit");
      acceptor::refuse(sock.release(), "the server has reached its client limit (max_clients="
                                         + std::to_string(max) + ")");
      return;
    }
    auto at = pin(sock);
    if (!at)
      return;
    auto id = next_connection++;
    auto conn = std::make_shared<client_connection>(*this, std::move(sock), id, std::move(peer),
                                                    tls.get());
    conn->placed(*at);
    conn->reply_actor(make_reply_actor(conn));
    {
      std::lock_guard<std::mutex> guard{mtx};
      connections.emplace(id, conn);
    }
    conn->start();
  }

  // -- the loop --------------------------------------------------------------------

  // Runs loop `index`; an extra thread helps a loop whose thread is busy.
  void run_io_thread(std::size_t index, bool extra, std::shared_ptr<std::atomic<bool>> done) {
    auto& ioc = loop(index);
    pthread_setname_np(pthread_self(), "mpactor.io"); // in top -H, and tests find them
    io_unit unit{*sys};
    unit.loop = index;
    io_unit::current() = &unit;
    {
      std::lock_guard<std::mutex> guard{units_mtx};
      units.push_back(&unit);
    }
    auto idle_since = std::chrono::steady_clock::now();
    for (;;) {
      try {
        if (!extra) {
          poller->run(ioc);
          break;
        }
        // An extra thread ends once it has had nothing to do for 5 s.
        auto now = std::chrono::steady_clock::now();
        if (ioc.run_one_for(std::chrono::milliseconds(200)) > 0)
          idle_since = now;
        else if (ioc.stopped() || now - idle_since > std::chrono::seconds(5))
          break;
      } catch (const std::exception& e) {
        log(std::string{"event loop: "} + e.what());
      }
    }
    unit.drain();
    {
      std::lock_guard<std::mutex> guard{units_mtx};
      units.erase(std::find(units.begin(), units.end(), &unit));
    }
    io_unit::current() = nullptr;
    if (done)
      *done = true;
  }

  // Adds a thread when every I/O thread has been busy in one event for
  // 100 ms: a long call must not keep the other clients unread.
  void add_thread_if_all_busy() {
    auto now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                 std::chrono::steady_clock::now().time_since_epoch())
                 .count();
    std::lock_guard<std::mutex> guard{units_mtx};
    // A loop all of whose threads have been busy for 100 ms.
    std::vector<int> free(loop_count(), 0);
    for (auto* u : units) {
      auto since = u->busy_since.load();
      if (since == 0 || now - since < 100'000'000)
        free[u->loop] = 1;
    }
    auto stuck = std::find(free.begin(), free.end(), 0);
    if (stuck == free.end())
      return;
    auto index = static_cast<std::size_t>(stuck - free.begin());
    extras.erase(std::remove_if(extras.begin(), extras.end(),
                                [](extra_thread& t) {
                                  if (!*t.done)
                                    return false;
                                  t.thread.join();
                                  return true;
                                }),
                 extras.end());
    if (extras.size() >= lim.extra_io_threads || stopping)
      return;
    auto done = std::make_shared<std::atomic<bool>>(false);
    ++extras_started;
    extras.push_back({std::thread{[this, index, done] { run_io_thread(index, true, done); }},
                      done});
  }

  // Four times a second: handshake deadlines, soft output limits, pongs
  // for clients whose call runs long.
  void ticker() {
    std::unique_lock<std::mutex> guard{tick_mtx};
    while (!tick_cv.wait_for(guard, std::chrono::milliseconds(250),
                             [&] { return stopping.load(); })) {
      guard.unlock();
      add_thread_if_all_busy();
      std::size_t callers = 0; // connections that sent something lately
      for (auto& c : snapshot())
        callers += c->tick(std::chrono::steady_clock::now()) ? 1 : 0;
      if (python)
        callers += python->tick(std::chrono::steady_clock::now());
      bool batched = poller->batching();
      auto times = tick_units();
      poller->tick(callers, times.io_wait);
      if (poller->batching() != batched)
        for (std::size_t i = 0; i < loop_count(); ++i)
          boost::asio::post(loop(i), [] {}); // each thread switches now, not at its next call
      if (tick_packer(times))
        move_connections();
      guard.lock();
    }
  }

  // The I/O threads since the last tick: the CPU time each used (the
  // packer's measure) and how long they waited for a CPU, per mille of the
  // time they ran (the poller's: idle_poller::wait_per_mille; -1 unknown).
  struct unit_times {
    std::int64_t wall = 0, cpu_all = 0, cpu_first = 0;
    int io_wait = -1;
  };

  unit_times tick_units() {
    auto now = std::chrono::steady_clock::now();
    unit_times t;
    t.wall = std::chrono::duration_cast<std::chrono::nanoseconds>(now - units_ticked).count();
    units_ticked = now;
    std::int64_t run = 0, wait = 0;
    bool known = true;
    std::lock_guard<std::mutex> guard{units_mtx};
    for (auto* u : units) {
      auto cpu = u->cpu_ns();
      auto used = u->cpu_ticked >= 0 && cpu >= u->cpu_ticked ? cpu - u->cpu_ticked : 0;
      u->cpu_ticked = cpu;
      t.cpu_all += used;
      if (u->loop == 0)
        t.cpu_first += used;
      auto [r, w] = idle_poller::sched_ns(u->tid());
      if (r >= 0 && u->run_ticked >= 0 && r >= u->run_ticked && w >= u->wait_ticked) {
        run += r - u->run_ticked;
        wait += w - u->wait_ticked;
      } else {
        known = false; // no schedstat, or a thread's first tick: no growth yet
      }
      u->run_ticked = r;
      u->wait_ticked = w;
    }
    if (known)
      t.io_wait = idle_poller::wait_per_mille(run, wait, t.wall);
    return t;
  }

  // Feeds the packer the I/O threads' CPU time; returns whether it changed
  // its mind.
  bool tick_packer(const unit_times& t) {
    if (t.wall <= 0)
      return false;
    return packer->tick(poller->clients_contend(), poller->contended(),
                        static_cast<int>(t.cpu_all * 1000 / t.wall),
                        static_cast<int>(t.cpu_first * 1000 / t.wall), poller->starved());
  }

  // Every connection to loop 0 while the packer gathers them, else home.
  // Also one already there is told, to replace an earlier request it has
  // not carried out (it never read since).
  void move_connections() {
    bool packed = packer->packed();
    each_connection([&](stream_connection& c) {
      auto to = packed ? std::size_t{0} : c.home_loop();
      c.move_to(loop(to), to);
    });
  }

  // Connections per event loop now (stats).
  std::vector<std::size_t> connections_per_loop() {
    std::vector<std::size_t> n(loop_count(), 0);
    each_connection([&](stream_connection& c) {
      if (c.loop() < n.size())
        ++n[c.loop()];
    });
    return n;
  }

  // Calls `f` with every open connection, native and Python.
  template <class F>
  void each_connection(F&& f) {
    for (auto& c : snapshot())
      f(*c);
    if (python)
      for (auto& c : python->snapshot())
        f(*c);
  }

  std::vector<std::shared_ptr<client_connection>> snapshot() {
    std::lock_guard<std::mutex> guard{mtx};
    std::vector<std::shared_ptr<client_connection>> all;
    all.reserve(connections.size());
    for (auto& [id, c] : connections)
      all.push_back(c);
    return all;
  }

  void serve() {
    lim.validate();
    poller = std::make_unique<idle_poller>(lim.io_poll, "/proc/pressure/cpu",
                                           lim.io_batch_when_busy);
    packer = std::make_unique<loop_packer>(lim.io_pack_when_busy);
    unsigned n = lim.io_threads != 0 ? lim.io_threads
                                     : std::max(1u, std::thread::hardware_concurrency());
    while (loop_count() < n)
      more_loops.push_back(std::make_unique<boost::asio::io_context>(1));
    using guard_type = boost::asio::executor_work_guard<boost::asio::io_context::executor_type>;
    std::vector<guard_type> work;
    for (std::size_t i = 0; i < loop_count(); ++i)
      work.push_back(boost::asio::make_work_guard(loop(i)));
    accept->start([this](acceptor::socket_type s, std::string peer) {
                    on_accept(std::move(s), std::move(peer));
                  },
                  [this](const std::string& line) { log(line); });
    if (python)
      python->start();
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < loop_count(); ++i)
      threads.emplace_back([this, i] { run_io_thread(i, false, nullptr); });
    std::thread tick{[this] { ticker(); }};
    // Waits for shutdown(): a signal handler may call it, so it only writes
    // to a pipe.
    for (;;) {
      pollfd p{wake[0], POLLIN, 0};
      if (::poll(&p, 1, -1) > 0 || stopping)
        break;
    }
    stopping = true;
    tick_cv.notify_all();
    tick.join();
    boost::asio::post(ioc, [this] {
      accept->stop();
      if (python)
        python->stop();
    });
    // Every connection ends and its session is cleaned up (2 s at most).
    for (auto& c : snapshot())
      c->close("");
    {
      std::unique_lock<std::mutex> guard{mtx};
      auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
      while ((!connections.empty() || (python && python->connections() > 0))
             && std::chrono::steady_clock::now() < deadline) {
        guard.unlock();
        std::unique_lock<std::mutex> t{tick_mtx};
        tick_cv.wait_for(t, std::chrono::milliseconds(50));
        t.unlock();
        guard.lock();
      }
    }
    for (auto& w : work)
      w.reset();
    for (std::size_t i = 0; i < loop_count(); ++i)
      loop(i).stop();
    for (auto& t : threads)
      t.join();
    {
      std::vector<extra_thread> rest;
      {
        std::lock_guard<std::mutex> guard{units_mtx};
        rest.swap(extras);
      }
      for (auto& t : rest)
        t.thread.join();
    }
    {
      std::lock_guard<std::mutex> guard{mtx};
      connections.clear();
    }
    table.clear();
    service->stop_user_actors();
  }

  void request_stop() {
    if (!stopping.exchange(true)) {
      char b = 1;
      (void) !::write(wake[1], &b, 1);
    }
  }

  // -- stats -----------------------------------------------------------------------

  // Calls per second since the previous stats() (or since the start).
  double call_rate() {
    std::lock_guard<std::mutex> guard{rate_mtx};
    auto now = std::chrono::steady_clock::now();
    auto total = calls.load();
    double seconds = std::chrono::duration<double>(now - rate_since).count();
    double rate = seconds > 0 ? static_cast<double>(total - rate_calls) / seconds : 0.0;
    rate_since = now;
    rate_calls = total;
    return rate;
  }

  static long resident_bytes() {
    long pages = 0, resident = 0;
    if (FILE* f = std::fopen("/proc/self/statm", "r")) {
      if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2)
        resident = 0;
      std::fclose(f);
    }
    return resident * sysconf(_SC_PAGESIZE);
  }

  json stats() {
    json types = json::object();
    for (auto& [k, v] : table.count_by_type())
      types[k] = v;
    auto rate = call_rate();
    std::size_t unsent = 0, unread = 0, handshaking = 0, biggest = 0;
    auto all = snapshot();
    for (auto& c : all) {
      auto u = c->unsent();
      unsent += u;
      biggest = std::max(biggest, u);
      unread += c->buffered_input();
      if (c->state() != client_connection::phase::serving)
        ++handshaking;
    }
    return {{"objects", table.size()},
            {"objects_by_type", types},
            {"connections", all.size()},
            {"python_connections", python ? python->connections() : 0},
            {"connections_handshaking", handshaking},
            {"sessions", sessions.size()},
            {"calls", calls.load()},
            {"calls_per_second", rate},
            {"output_buffered_bytes", unsent},
            {"output_buffered_max_bytes", biggest},
            {"input_buffered_bytes", unread},
            {"refused_max_clients", refused_max_clients.load()},
            {"refused_fd_limit", accept->refused_at_fd_limit()},
            {"refused_pending_calls", refused_pending.load()},
            {"extra_io_threads_started", extras_started.load()},
            {"refused_authentication", refused_auth.load()},
            {"closed_output_limit", closed_by_limit.load()},
            {"closed_handshake_timeout", closed_handshake_timeout.load()},
            {"memory_rss_bytes", resident_bytes()},
            {"limits", {{"max_clients", lim.max_clients},
                        {"max_clients_effective", effective_max_clients()},
                        {"max_pending_calls", lim.max_pending_calls},
                        {"max_frame", lim.max_frame},
                        {"preauth_max_frame", lim.preauth_max_frame},
                        {"handshake_timeout_ms", lim.handshake_timeout.count()},
                        {"output_hard_limit", lim.output_hard_limit},
                        {"output_soft_limit", lim.output_soft_limit},
                        {"output_soft_seconds", lim.output_soft_seconds.count()},
                        {"io_poll_us", lim.io_poll.count()},
                        {"io_batch_when_busy", lim.io_batch_when_busy},
                        {"io_pack_when_busy", lim.io_pack_when_busy}}},
            {"io_polling", poller && poller->polling()},
            {"io_batch", poller && poller->batching()},
            {"io_packed", packer && packer->packed()},
            {"io_loop_connections", connections_per_loop()},
            {"cpu_pressure_per_mille", poller ? poller->pressure() : -1},
            {"io_wait_per_mille", poller ? poller->io_wait() : -1},
            {"uptime_seconds",
             std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()}};
  }
};

server::server(const Address& bind, std::string authkey,
               std::shared_ptr<const object_registry> registry,
               std::shared_ptr<ssl_ctx_st> tls) {
  bool loopback = bind.is_unix() || bind.host == "127.0.0.1" || bind.host == "localhost"
                  || bind.host == "::1" || bind.host.rfind("127.", 0) == 0;
  if (authkey.empty() && !loopback)
    throw ValueError("refusing to serve on " + bind.host
                     + " without an authkey: anyone who can connect could use it");
  impl_ = std::make_unique<impl>(bind, std::move(authkey), std::move(registry));
  impl_->tls = std::move(tls);
}

server::~server() {
  shutdown();
}

const Address& server::address() const noexcept {
  return impl_->addr;
}

void server::serve_forever() {
  impl_->serve();
}

void server::shutdown() {
  impl_->request_stop();
}

void server::serve_python(const Address& bind, bool accept_md5) {
  bool loopback = bind.is_unix() || bind.host == "127.0.0.1" || bind.host == "localhost"
                  || bind.host == "::1" || bind.host.rfind("127.", 0) == 0;
  if (impl_->key.view().empty() && !loopback)
    throw ValueError("refusing to serve Python clients on " + bind.host
                     + " without an authkey: anyone who can connect could use it");
  if (impl_->python)
    throw ValueError("this server already serves Python clients on "
                     + impl_->python_addr.to_string());
  impl_->start_python(bind, accept_md5);
}

const Address& server::python_address() const noexcept {
  return impl_->python_addr;
}

void server::set_max_frame(std::size_t bytes) {
  impl_->lim.max_frame = bytes;
}

void server::set_limits(const server_limits& limits) {
  limits.validate();
  impl_->lim = limits;
}

const server_limits& server::limits() const noexcept {
  return impl_->lim;
}

void server::set_logger(std::function<void(const std::string&)> log) {
  impl_->logger = std::move(log);
}

json server::stats() const {
  return impl_->stats();
}

} // namespace mpactor

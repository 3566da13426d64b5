#include <mpactor/actors/server/server.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <deque>
#include <future>
#include <iostream>
#include <set>
#include <unordered_map>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <caf/actor_companion.hpp>
#include <caf/all.hpp>

#include <mpactor/actors/core/error_code.hpp>
#include <mpactor/actors/wire/frame_socket.hpp>
#include <mpactor/actors/wire/handshake.hpp>
#include <mpactor/actors/runtime/object_actor.hpp>
#include <mpactor/actors/objects/object_messages.hpp>
#include <mpactor/actors/runtime/object_table.hpp>
#include <mpactor/actors/core/token.hpp>
#include <mpactor/actors/runtime/user_actor.hpp>
#include <mpactor/shm/error.hpp>

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(mpactor::caller)

namespace mpactor {

namespace {

// A connection thread as a CAF execution unit: an idle actor that receives a
// message from this thread is run here, right away, instead of waking a
// scheduler thread. Actors made runnable by other threads, and actors with
// more mail than one turn takes, go to the scheduler as usual.
class connection_unit final : public caf::execution_unit {
public:
  explicit connection_unit(caf::actor_system& sys)
    : caf::execution_unit(&sys), owner_(std::this_thread::get_id()) {
    // nop
  }

  void exec_later(caf::resumable* job) override {
    if (std::this_thread::get_id() == owner_)
      runnable_.push_back(job);
    else
      system_->scheduler().enqueue(job); // our reference goes with it
  }

  /// Runs what became runnable on this thread.
  void drain() {
    while (!runnable_.empty()) {
      auto job = runnable_.front();
      runnable_.pop_front();
      switch (job->resume(this, max_throughput)) {
        case caf::resumable::resume_later:
          system_->scheduler().enqueue(job);
          break;
        case caf::resumable::done:
        case caf::resumable::awaiting_message:
        case caf::resumable::shutdown_execution_unit:
          caf::intrusive_ptr_release(job); // the reference enqueue() took
          break;
      }
    }
  }

private:
  static constexpr std::size_t max_throughput = 64;
  std::thread::id owner_;
  std::deque<caf::resumable*> runnable_;
};

// Methods that may wait (cancelled when their connection closes) or that
// give a session something to release when it ends.
bool may_wait(const std::string& method) {
  return method == "get" || method == "put" || method == "acquire"
         || method == "wait" || method == "join";
}

} // namespace

struct connection_state {
  std::uint64_t id = 0;
  std::uint64_t session = 0;
  std::unique_ptr<frame_socket> sock;
  std::thread::id owner;
  std::mutex out_mtx;
  std::string out; // guarded by out_mtx: replies made on the owner thread
  std::set<std::uint64_t> waiting_on; // owner thread only
  std::string peer;
  // When the thread started running calls (0: reading); the heartbeat
  // speaks for a thread busy in a long call, which cannot answer pings.
  std::atomic<std::int64_t> busy_since{0};

  // Queues or writes one frame: replies made on this connection's thread are
  // written together after the batch; others at once.
  void send(const wire_frame& f) {
    std::lock_guard<std::mutex> guard{out_mtx};
    f.encode(out);
    if (std::this_thread::get_id() != owner)
      flush_locked();
  }

  void flush() {
    std::lock_guard<std::mutex> guard{out_mtx};
    flush_locked();
  }

  void flush_locked() {
    if (out.empty())
      return;
    try {
      sock->write_bytes(out);
    } catch (const Error&) {
      sock->shutdown(); // the reader sees it and ends the connection
    }
    out.clear();
  }
};

struct server::impl {
  Address addr;
  std::string authkey;
  std::shared_ptr<const object_registry> registry;
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  object_table table;
  int listen_fd = -1;
  int wake[2] = {-1, -1};
  std::atomic<bool> stopping{false};
  std::atomic<std::uint64_t> next_connection{1};
  std::atomic<std::uint64_t> calls{0};
  std::uint64_t incarnation = 0;
  std::function<void(const std::string&)> log;
  std::shared_ptr<ssl_ctx_st> tls; // set: every connection is mutual TLS
  std::size_t max_frame = wire_frame::default_max_size;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  std::mutex rate_mtx;
  std::chrono::steady_clock::time_point rate_since = started; // guarded by rate_mtx
  std::uint64_t rate_calls = 0;                               // guarded by rate_mtx
  std::mutex user_mtx;
  struct spawned_actor {
    caf::actor_addr addr;
    std::shared_future<void> finished;
  };
  std::vector<spawned_actor> user_actors; // guarded by user_mtx: spawned user actors
  std::mutex shared_mtx;
  std::unordered_map<std::string, std::uint64_t> shared_ids; // guarded by shared_mtx
  std::mutex beat_mtx;
  std::condition_variable beat_cv;

  std::mutex mtx;
  std::unordered_map<std::uint64_t, std::shared_ptr<connection_state>> connections; // guarded by mtx
  std::vector<std::thread> threads; // guarded by mtx
  std::unordered_map<std::uint64_t, int> session_connections; // guarded by mtx
  std::unordered_map<std::uint64_t, std::set<std::uint64_t>> session_objects; // guarded by mtx

  impl(const Address& bind, std::string key, std::shared_ptr<const object_registry> reg)
    : addr(bind), authkey(std::move(key)), registry(std::move(reg)) {
    cfg.set("scheduler.policy", caf::atom("sharing"));
    cfg.set("logger.verbosity", caf::atom("quiet"));
    for (unsigned char b : random_bytes(8))
      incarnation = (incarnation << 8) | b;
    sys = std::make_unique<caf::actor_system>(cfg);
    table.set_creator([this](const std::string& type_id, const json& args) {
      return create(type_id, args);
    });
    listen();
    if (pipe2(wake, O_CLOEXEC) != 0)
      throw Error("server: pipe failed");
  }

  ~impl() {
    for (int fd : {listen_fd, wake[0], wake[1]})
      if (fd >= 0)
        ::close(fd);
  }

  void listen() {
    if (addr.is_unix()) {
      socklen_t len = 0;
      auto sa = frame_socket::unix_sockaddr(addr, len);
      if (addr.path[0] != '@')
        ::unlink(addr.path.c_str()); // a stale socket of an earlier run
      int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
      if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&sa), len) != 0
          || ::listen(fd, 128) != 0) {
        auto err = std::string{std::strerror(errno)};
        if (fd >= 0)
          ::close(fd);
        throw ConnectionError("cannot listen on " + addr.to_string() + ": " + err);
      }
      if (addr.path[0] != '@')
        ::chmod(addr.path.c_str(), 0600);
      listen_fd = fd;
      return;
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
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (fd < 0 || ::bind(fd, res->ai_addr, res->ai_addrlen) != 0 || ::listen(fd, 128) != 0) {
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
    listen_fd = fd;
  }

  static std::int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
  }

  // Tells the clients of connections busy in a long call that the server is
  // alive (a pong), so that they wait for it instead of declaring it dead.
  // A frozen server sends nothing, and its clients give up.
  void heartbeat() {
    std::unique_lock<std::mutex> guard{beat_mtx};
    while (!beat_cv.wait_for(guard, std::chrono::milliseconds(250), [&] { return stopping.load(); })) {
      std::vector<std::shared_ptr<connection_state>> busy;
      auto now = now_ns();
      {
        std::lock_guard<std::mutex> g{mtx};
        for (auto& [id, c] : connections) {
          auto since = c->busy_since.load();
          if (since != 0 && now - since > 250'000'000)
            busy.push_back(c);
        }
      }
      wire_frame pong;
      pong.kind = frame_kind::pong;
      std::string bytes;
      pong.encode(bytes);
      for (auto& c : busy) {
        try {
          c->sock->write_bytes(bytes);
        } catch (const Error&) {
          // its own thread will notice
        }
      }
    }
  }

  void accept_loop() {
    std::thread beat{[this] { heartbeat(); }};
    while (!stopping) {
      pollfd fds[2] = {{listen_fd, POLLIN, 0}, {wake[0], POLLIN, 0}};
      if (::poll(fds, 2, -1) < 0) {
        if (errno == EINTR)
          continue;
        break;
      }
      if (fds[1].revents != 0 || stopping) {
        stopping = true;
        break;
      }
      sockaddr_storage peer{};
      socklen_t peer_len = sizeof(peer);
      int fd = ::accept4(listen_fd, reinterpret_cast<sockaddr*>(&peer), &peer_len,
                         SOCK_CLOEXEC);
      if (fd < 0)
        continue;
      int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
      auto conn = std::make_shared<connection_state>();
      conn->id = next_connection++;
      char host[NI_MAXHOST] = "?", serv[NI_MAXSERV] = "?";
      getnameinfo(reinterpret_cast<sockaddr*>(&peer), peer_len, host, sizeof(host), serv,
                  sizeof(serv), NI_NUMERICHOST | NI_NUMERICSERV);
      conn->peer = addr.is_unix() ? std::string{"local"} : std::string{host} + ":" + serv;
      conn->sock = std::make_unique<frame_socket>(fd, max_frame);
      conn->sock->spin(std::chrono::microseconds(50));
      std::lock_guard<std::mutex> guard{mtx};
      connections.emplace(conn->id, conn);
      threads.emplace_back([this, conn] { serve(conn); });
    }
    {
      std::lock_guard<std::mutex> guard{beat_mtx};
      stopping = true;
    }
    beat_cv.notify_all();
    beat.join();
  }

  void stop_all() {
    {
      std::lock_guard<std::mutex> guard{beat_mtx};
      stopping = true;
    }
    beat_cv.notify_all();
    std::vector<std::thread> joinable;
    {
      std::lock_guard<std::mutex> guard{mtx};
      for (auto& [id, c] : connections)
        c->sock->shutdown();
      joinable.swap(threads);
    }
    for (auto& t : joinable)
      t.join();
    table.clear();
    // User actors end, and what they attached runs, before the table they
    // refer to goes (actor_context.hpp); one that ignores the exit holds the
    // shutdown up for 5 s at most.
    std::vector<spawned_actor> users;
    {
      std::lock_guard<std::mutex> guard{user_mtx};
      users.swap(user_actors);
    }
    for (auto& u : users)
      if (auto a = caf::actor_cast<caf::actor>(u.addr))
        caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    for (auto& u : users)
      u.finished.wait_until(deadline);
  }

  static void reply(connection_state& c, std::uint64_t request, json body) {
    wire_frame f;
    f.kind = frame_kind::reply;
    f.request = request;
    f.body = std::move(body);
    c.send(f);
  }

  static void reply_error(connection_state& c, std::uint64_t request,
                          error_code code, const std::string& message) {
    wire_frame f;
    f.kind = frame_kind::error;
    f.request = request;
    f.body = {{"type", static_cast<int>(code)}, {"message", message}};
    c.send(f);
  }

  // The companion turns responses of object actors into reply frames.
  caf::actor make_companion(const std::shared_ptr<connection_state>& conn) {
    auto hdl = sys->spawn<caf::actor_companion, caf::hidden>();
    auto* self = static_cast<caf::actor_companion*>(caf::actor_cast<caf::abstract_actor*>(hdl));
    std::weak_ptr<connection_state> weak = conn;
    self->on_enqueue([this, weak](caf::mailbox_element_ptr ptr) {
      if (!ptr->mid.is_response())
        return;
      auto c = weak.lock();
      if (!c)
        return;
      auto request = ptr->mid.request_id().integer_value();
      auto& content = ptr->content();
      if (content.match_elements<json>()) {
        reply(*c, request, std::move(content.get_mutable_as<json>(0)));
      } else if (content.match_elements<caf::error>()) {
        auto& err = content.get_as<caf::error>(0);
        if (err.category() == error_category) {
          std::string text = "error";
          if (err.context().match_elements<std::string>())
            text = err.context().get_as<std::string>(0);
          reply_error(*c, request, static_cast<error_code>(err.code()), text);
        } else {
          reply_error(*c, request, error_code::remote_error, sys->render(err));
        }
      } else if (content.empty()) {
        reply(*c, request, json{});
      } else {
        reply_error(*c, request, error_code::remote_error,
                    "unexpected reply: " + caf::to_string(content));
      }
    });
    return hdl;
  }

  void serve(std::shared_ptr<connection_state> conn) {
    conn->owner = std::this_thread::get_id();
    try {
      if (tls)
        conn->sock->start_tls(tls.get(), true,
                              std::chrono::steady_clock::now() + std::chrono::seconds(5));
      conn->session = server_handshake(*conn->sock, authkey, incarnation,
                                       std::chrono::seconds(5));
    } catch (const std::exception& e) {
      say("refused " + conn->peer + ": " + e.what());
      forget(conn->id);
      return;
    }
    say("client " + conn->peer + " connected (session " + hex(conn->session) + ")");
    {
      std::lock_guard<std::mutex> guard{mtx};
      ++session_connections[conn->session];
    }
    connection_unit unit{*sys};
    auto companion = make_companion(conn);
    auto sender = caf::actor_cast<caf::strong_actor_ptr>(companion);
    try {
      // Calls handed to actors since the last drain. An actor given more
      // than one turn's worth (connection_unit::max_throughput) would go to
      // the scheduler with the rest, whose threads then write one reply per
      // syscall: draining before that keeps a pipelined batch on this thread.
      // Each chunk's replies go out at once, so that the client works on
      // them (and sends more calls) while the rest is served.
      constexpr int drain_every = 32;
      int undrained = 0;
      for (;;) {
        auto f = conn->sock->read();
        if (!f)
          continue;
        if (conn->busy_since.load(std::memory_order_relaxed) == 0)
          conn->busy_since = now_ns();
        handle(*conn, std::move(*f), sender, unit);
        if (!conn->sock->has_frame()) {
          unit.drain();
          conn->flush();
          conn->busy_since = 0;
          undrained = 0;
        } else if (++undrained >= drain_every) {
          unit.drain();
          conn->flush();
          undrained = 0;
        }
      }
    } catch (const std::exception&) {
      // closed, broken, or a protocol error: the connection ends
    }
    auto* cself = static_cast<caf::actor_companion*>(caf::actor_cast<caf::abstract_actor*>(companion));
    cself->on_enqueue(nullptr);
    cself->cleanup(caf::exit_reason::normal, &unit);
    unit.drain();
    for (auto id : conn->waiting_on)
      if (auto a = table.find(id))
        caf::anon_send(a, cancel_atom::value, conn->id);
    end_connection(*conn);
    forget(conn->id);
    say("client " + conn->peer + " disconnected");
  }

  void say(const std::string& line) const {
    if (log)
      log(line);
  }

  static std::string hex(std::uint64_t x) {
    char buf[17];
    std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(x));
    return buf;
  }

  void end_connection(connection_state& conn) {
    std::set<std::uint64_t> objects;
    {
      std::lock_guard<std::mutex> guard{mtx};
      if (--session_connections[conn.session] > 0)
        return;
      session_connections.erase(conn.session);
      auto it = session_objects.find(conn.session);
      if (it != session_objects.end()) {
        objects = std::move(it->second);
        session_objects.erase(it);
      }
    }
    for (auto id : objects)
      if (auto a = table.find(id))
        caf::anon_send(a, release_atom::value, conn.session);
    table.end_session(conn.session);
  }

  void forget(std::uint64_t id) {
    std::lock_guard<std::mutex> guard{mtx};
    connections.erase(id);
  }

  void handle(connection_state& c, wire_frame f, const caf::strong_actor_ptr& sender,
              connection_unit& unit) {
    ++calls;
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
    auto actor = table.find(f.object);
    if (!actor) {
      if (f.kind == frame_kind::call)
        reply_error(c, f.request, error_code::no_such_object,
                    "no managed object with id " + std::to_string(f.object)
                      + " (it was freed, or the server restarted)");
      return;
    }
    if (!f.body.is_object())
      f.body = json::object();
    caller who{c.session, c.id, f.body.value("thread", std::uint64_t{0})};
    // The session's entry is made with the connection's (and both live
    // until the session's last connection ends): only a new one takes the lock.
    if (may_wait(f.method) && c.waiting_on.insert(f.object).second) {
      std::lock_guard<std::mutex> guard{mtx};
      session_objects[c.session].insert(f.object);
    }
    auto mid = f.kind == frame_kind::call ? caf::make_message_id(f.request)
                                          : caf::make_message_id();
    auto* dest = caf::actor_cast<caf::abstract_actor*>(actor);
    auto from = f.kind == frame_kind::call ? sender : caf::strong_actor_ptr{};
    dest->enqueue(caf::make_mailbox_element(std::move(from),
                                            mid, {}, call_atom::value,
                                            std::move(f.method), std::move(f.body), who),
                  &unit);
  }

  void manager_call(connection_state& c, wire_frame& f) {
    auto& args = f.body;
    auto& m = f.method;
    try {
      if (m == "create") {
        auto type_id = args.at("typeid").get<std::string>();
        std::uint64_t id;
        if (auto* shared = registry->find_shared(type_id)) {
          id = shared_object(type_id, *shared);
          type_id = shared->first;
          table.grant(c.session, id);
        } else {
          id = create(type_id, args.value("args", json::object()), c.session);
        }
        // No address: "an object of the server you asked" (the server does
        // not know the address its clients use; see token.hpp).
        Token t{type_id, id, Address{"", 0}};
        reply(c, f.request, t.to_marker());
      } else if (m == "decref") {
        table.release(c.session, args.at("id").get<std::uint64_t>(),
                      args.value("count", 1L));
        if (f.kind == frame_kind::call)
          reply(c, f.request, json{});
      } else if (m == "incref") {
        json missing = json::array();
        for (auto& id : args.at("ids"))
          if (!table.grant(c.session, id.get<std::uint64_t>()))
            missing.push_back(id);
        reply(c, f.request, {{"missing", missing}});
      } else if (m == "shutdown") {
        reply(c, f.request, json{});
        c.flush();
        request_stop();
      } else if (m == "stats") {
        reply(c, f.request, stats());
      } else if (m == "types") {
        reply(c, f.request, registry->type_ids());
      } else {
        throw AttributeError("the manager has no method '" + m + "'");
      }
    } catch (const json::exception& e) {
      if (f.kind == frame_kind::call)
        reply_error(c, f.request, error_code::type_error, e.what());
    } catch (const std::exception& e) {
      if (f.kind == frame_kind::call)
        reply_error(c, f.request, code_of(e), e.what());
    }
  }

  // Creates an object; `creator` (a session) gets the first reference.
  std::uint64_t create(const std::string& type_id, const json& args,
                       std::optional<std::uint64_t> creator = std::nullopt) {
    if (auto* spawner = registry->find_actor(type_id)) {
      auto spawned = spawn_user_actor(*sys, table, type_id, *spawner, args, creator);
      std::lock_guard<std::mutex> guard{user_mtx};
      user_actors.erase(std::remove_if(user_actors.begin(), user_actors.end(),
                                       [](const spawned_actor& a) {
                                         return a.finished.wait_for(std::chrono::seconds(0))
                                                == std::future_status::ready;
                                       }),
                        user_actors.end());
      user_actors.push_back({caf::actor_cast<caf::actor_addr>(spawned.actor),
                             std::move(spawned.finished)});
      return spawned.id;
    }
    auto* factory = registry->find(type_id);
    if (factory == nullptr)
      throw ValueError("unknown type id '" + type_id + "'");
    auto state = (*factory)(args, table);
    auto actor = spawn_object_actor(*sys, std::move(state), table);
    auto id = table.add(type_id, std::move(actor));
    if (creator)
      table.grant(*creator, id);
    return id;
  }

  // The one object behind a shared type id, made on first use; the server
  // holds a reference of its own (session 0), so it lives while it serves.
  std::uint64_t shared_object(const std::string& name,
                              const std::pair<std::string, json>& spec) {
    std::lock_guard<std::mutex> guard{shared_mtx};
    auto it = shared_ids.find(name);
    if (it != shared_ids.end())
      return it->second;
    auto id = create(spec.first, spec.second);
    table.grant(0, id);
    shared_ids.emplace(name, id);
    return id;
  }

  void request_stop() {
    if (!stopping.exchange(true)) {
      char b = 1;
      (void) !::write(wake[1], &b, 1);
    }
  }

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
    std::lock_guard<std::mutex> guard{mtx};
    return {{"objects", table.size()},
            {"objects_by_type", types},
            {"connections", connections.size()},
            {"sessions", session_connections.size()},
            {"calls", calls.load()},
            {"calls_per_second", rate},
            {"memory_rss_bytes", resident_bytes()},
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
  impl_->stop_all();
}

const Address& server::address() const noexcept {
  return impl_->addr;
}

void server::serve_forever() {
  impl_->accept_loop();
  impl_->stop_all();
}

void server::shutdown() {
  impl_->request_stop();
}

void server::set_max_frame(std::size_t bytes) {
  impl_->max_frame = bytes;
}

void server::set_logger(std::function<void(const std::string&)> log) {
  impl_->log = std::move(log);
}

json server::stats() const {
  return impl_->stats();
}

} // namespace mpactor

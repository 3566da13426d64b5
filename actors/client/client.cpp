#include <mpactor/actors/client/client.hpp>

#include <atomic>
#include <cstdint>
#include <map>
#include <unordered_map>
#include <unistd.h>

#include <mpactor/actors/wire/handshake.hpp>
#include <mpactor/actors/client/object_ref.hpp>
#include <mpactor/shm/error.hpp>
#include <mpactor/shm/process.hpp>

namespace mpactor {

// Process-wide tables. Leaked on purpose: proxies may die during static
// destruction, after a static registry would be gone.
struct client_registry {
  std::mutex mtx;
  std::atomic<std::uint64_t> generation{0}; // bumped when a client is replaced (renew)
  std::map<std::string, std::shared_ptr<client>> clients; // guarded by mtx
  std::map<std::pair<std::string, std::uint64_t>, std::weak_ptr<object_ref>> refs; // guarded by mtx

  static client_registry& get() {
    static auto* instance = [] {
      auto* reg = new client_registry;
      pthread_atfork(nullptr, nullptr, [] { get().after_fork_in_child(); });
      Process::add_fork_hook([] { return get().snapshot(); });
      return reg;
    }();
    return *instance;
  }

  // Every live reference of this process, for a child about to start: the
  // parent keeps them until the child has ended, so an object the child
  // inherited a proxy to cannot be freed before the child registers it.
  Process::keepalive snapshot() {
    auto refs = std::make_shared<std::vector<std::shared_ptr<object_ref>>>();
    std::lock_guard<std::mutex> guard{mtx};
    for (auto& [key, weak] : this->refs)
      if (auto ref = weak.lock())
        refs->push_back(std::move(ref));
    if (refs->empty())
      return nullptr;
    return refs;
  }

  // Runs in the child of fork(), single-threaded: drop the parent's sockets
  // (without a word on them) and forget its clients; proxies find new ones.
  void after_fork_in_child() {
    new (&mtx) std::mutex; // a thread of the parent may have held it
    for (auto& [key, cl] : clients)
      new (&cl->mtx_) std::mutex; // connections were abandoned by connection
    // The clients stay alive through the proxies that hold them; the
    // registry forgets them so that this process makes its own.
    auto* old = new std::map<std::string, std::shared_ptr<client>>(std::move(clients));
    (void) old; // leaked: destroying them here could run arbitrary code
    clients.clear();
  }
};

namespace {

// getpid() is a syscall (glibc stopped caching it) and a call asks up to
// three times, so the pid is cached here and renewed in each child of fork().
std::atomic<pid_t> cached_pid{0};
void renew_pid() noexcept { cached_pid.store(::getpid(), std::memory_order_relaxed); }
const bool pid_renewed_after_fork = [] {
  pthread_atfork(nullptr, nullptr, renew_pid);
  renew_pid();
  return true;
}();

pid_t this_pid() noexcept {
  auto pid = cached_pid.load(std::memory_order_relaxed);
  return pid != 0 ? pid : ::getpid(); // before this file's static initialisation
}

// In a forked child, the client that inherited proxies' calls go to (the
// child's own client of the same manager), per thread: one lookup in the
// registry per thread and child instead of one per call.
struct heir_cache {
  const client* from = nullptr;
  pid_t pid = 0;
  std::uint64_t generation = 0;
  std::shared_ptr<client> to;
};
thread_local heir_cache heir;

// This thread's connections, by client serial.
thread_local std::unordered_map<std::uint64_t, std::unique_ptr<connection>> links;

std::atomic<std::uint64_t> next_serial{1};

// Clients are told apart by address, authkey and TLS context: two managers
// of one process may reach one server differently.
std::string client_key(const Address& addr, const std::string& authkey, const void* tls) {
  return addr.to_string() + "|" + std::to_string(reinterpret_cast<std::uintptr_t>(tls)) + "|"
         + authkey;
}

std::string new_session_key() {
  return random_bytes(session_key_size);
}

} // namespace

client::client(Address addr, std::string authkey, std::shared_ptr<ssl_ctx_st> tls,
               std::string lineage)
  : addr_(std::move(addr)), authkey_(std::move(authkey)), tls_(std::move(tls)),
    session_(new_session_key()), pid_(this_pid()), serial_(next_serial++),
    lineage_(lineage.empty() ? client_key(addr_, authkey_, tls_.get()) + "#"
                                 + std::to_string(serial_)
                             : std::move(lineage)) {
  // nop
}

std::shared_ptr<client> client::for_address(const Address& addr,
                                            const std::string& authkey,
                                            std::shared_ptr<ssl_ctx_st> tls,
                                            const std::string& lineage) {
  auto& reg = client_registry::get();
  std::lock_guard<std::mutex> guard{reg.mtx};
  auto& slot = reg.clients[client_key(addr, authkey, tls.get())];
  if (!slot) {
    slot = std::make_shared<client>(addr, authkey, std::move(tls), lineage);
    // References this process holds already (copied by fork) must be
    // registered under the new session before anything else.
    for (auto& [key, weak] : reg.refs)
      if (key.first == slot->lineage_ && !weak.expired()) {
        slot->regrant_pending_ = true;
        break;
      }
  }
  return slot;
}

std::shared_ptr<client> client::renew(const Address& addr, const std::string& authkey,
                                      std::shared_ptr<ssl_ctx_st> tls) {
  auto& reg = client_registry::get();
  std::lock_guard<std::mutex> guard{reg.mtx};
  auto key = client_key(addr, authkey, tls.get());
  auto fresh = std::make_shared<client>(addr, authkey, std::move(tls));
  reg.clients[key] = fresh;
  reg.generation.fetch_add(1);
  return fresh;
}

std::shared_ptr<client> client::current() {
  auto pid = this_pid();
  if (pid_ == pid)
    return shared_from_this();
  auto generation = client_registry::get().generation.load();
  if (heir.from == this && heir.pid == pid && heir.generation == generation && heir.to)
    return heir.to;
  auto to = for_address(addr_, authkey_, tls_, lineage_);
  heir = {this, pid, generation, to};
  return to;
}

std::shared_ptr<client> client::find(const Address& addr) {
  auto& reg = client_registry::get();
  std::lock_guard<std::mutex> guard{reg.mtx};
  for (auto& [key, cl] : reg.clients)
    if (cl->addr_ == addr && cl->pid_ == this_pid())
      return cl;
  return nullptr;
}

std::unique_ptr<frame_socket> client::open_socket() {
  if (pid_ != this_pid())
    return current()->open_socket();
  mine(); // the anchor keeps the session, and a forked child re-registers first
  auto deadline = std::chrono::steady_clock::now() + connect_timeout;
  auto sock = std::make_unique<frame_socket>(frame_socket::connect_to(addr_, deadline));
  if (tls_)
    sock->start_tls(tls_.get(), false, deadline);
  auto incarnation = client_handshake(*sock, authkey_, session_, connect_timeout);
  std::lock_guard<std::mutex> guard{mtx_};
  if (incarnation_ != incarnation)
    throw ConnectionError("the manager at " + addr_.to_string()
                          + " was restarted: objects of its earlier run are gone");
  return sock;
}

std::unique_ptr<connection> client::open() {
  auto conn = std::make_unique<connection>(addr_, authkey_, session_, connect_timeout,
                                           tls_.get());
  bool regrant = false;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    if (incarnation_ == 0)
      incarnation_ = conn->incarnation();
    else if (incarnation_ != conn->incarnation())
      throw ConnectionError("the manager at " + addr_.to_string()
                            + " was restarted: objects of its earlier run are gone");
    regrant = std::exchange(regrant_pending_, false);
  }
  if (regrant)
    regrant_after_fork(*conn);
  return conn;
}

connection& client::mine() {
  auto& slot = links[serial_];
  if (slot && !slot->broken())
    return *slot;
  slot.reset();
  {
    std::lock_guard<std::mutex> guard{mtx_};
    if (anchor_ && anchor_->broken())
      anchor_.reset();
  }
  bool need_anchor;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    need_anchor = !anchor_;
  }
  if (need_anchor) {
    auto anchor = open();
    std::lock_guard<std::mutex> guard{mtx_};
    if (!anchor_)
      anchor_ = std::move(anchor);
  }
  slot = open();
  return *slot;
}

void client::regrant_after_fork(connection& conn) {
  json ids = json::array();
  {
    auto& reg = client_registry::get();
    std::lock_guard<std::mutex> guard{reg.mtx};
    for (auto& [key, weak] : reg.refs) {
      if (key.first != lineage_)
        continue;
      if (auto ref = weak.lock()) {
        ref->grants_ = 1;
        ref->grant_pid_ = this_pid();
        ids.push_back(key.second);
      }
    }
  }
  if (!ids.empty())
    conn.call(0, "incref", {{"ids", ids}});
}

namespace {

// Strips the address from markers that name `server`'s own objects, so that
// the server knows them for its own and counts them.
void localize(json& value, const Address& server) {
  if (value.is_array()) {
    for (auto& x : value)
      localize(x, server);
  } else if (value.is_object()) {
    if (auto t = Token::from_marker(value)) {
      if (!t->is_local() && t->address == server)
        value = Token{t->type_id, t->id, Address{"", 0}}.to_marker();
      return;
    }
    for (auto& x : value)
      localize(x, server);
  }
}

} // namespace

void client::localize_markers(json& args) const {
  mpactor::localize(args, addr_);
}

json client::call(std::uint64_t object, const std::string& method, json args) {
  if (pid_ != this_pid())
    return current()->call(object, method, std::move(args));
  localize(args, addr_);
  return mine().call(object, method, std::move(args));
}

void client::call_many(std::vector<connection::batch_call>& calls) {
  if (pid_ != this_pid())
    return current()->call_many(calls);
  for (auto& c : calls)
    localize(c.args, addr_);
  mine().call_many(calls);
}

void client::send(std::uint64_t object, const std::string& method, json args) {
  if (pid_ != this_pid())
    return current()->send(object, method, std::move(args));
  localize(args, addr_);
  mine().send(object, method, std::move(args));
}

void client::notify(std::uint64_t object, const std::string& method, json args) noexcept {
  try {
    if (pid_ != this_pid()) {
      current()->notify(object, method, std::move(args));
      return;
    }
    std::lock_guard<std::mutex> guard{mtx_};
    if (anchor_)
      anchor_->notify(object, method, std::move(args));
    // No anchor: no connection was ever made, so nothing was counted.
  } catch (...) {
    // best effort: a gone server has nothing to count any more
  }
}

std::shared_ptr<object_ref> client::adopt(const Token& token, int grants) {
  auto self = current();
  auto& reg = client_registry::get();
  std::lock_guard<std::mutex> guard{reg.mtx};
  auto& weak = reg.refs[{self->lineage_, token.id}];
  if (auto ref = weak.lock()) {
    if (ref->grant_pid_ == this_pid()) {
      ref->grants_ += grants;
    } else {
      ref->grants_ = grants;
      ref->grant_pid_ = this_pid();
    }
    return ref;
  }
  auto ref = std::make_shared<object_ref>(token, self, grants);
  weak = ref;
  return ref;
}

std::shared_ptr<object_ref> client::adopt_counted(const Token& token) {
  auto reply = call(0, "incref", {{"ids", json::array({token.id})}});
  if (!reply.value("missing", json::array()).empty())
    throw RemoteError("no managed object with id " + std::to_string(token.id) + " at "
                      + token.address.to_string() + " (it was freed)");
  return adopt(token, 1);
}

void client::adopt_markers(json& value, std::vector<std::shared_ptr<object_ref>>& keep,
                           bool address) {
  if (value.is_array()) {
    for (auto& x : value)
      adopt_markers(x, keep, address);
  } else if (value.is_object()) {
    if (auto token = Token::from_marker(value)) {
      if (token->is_local()) {
        token->address = addr_; // an object of this client's server
        keep.push_back(adopt(*token, 1));
        if (address)
          value = token->to_marker();
      }
      // Another server's object was not counted for us: proxies made of it
      // register themselves there (BaseProxy::convert).
      return;
    }
    for (auto& [k, v] : value.items())
      adopt_markers(v, keep, address);
  }
}

object_ref::object_ref(Token token, std::shared_ptr<client> owner, int grants)
  : token_(std::move(token)), owner_(std::move(owner)), grants_(grants),
    grant_pid_(this_pid()) {
  // nop
}

object_ref::~object_ref() {
  auto n = grants_.load();
  if (grant_pid_ != this_pid() || n <= 0)
    return;
  {
    auto& reg = client_registry::get();
    std::lock_guard<std::mutex> guard{reg.mtx};
    auto it = reg.refs.find({owner_->lineage(), token_.id});
    if (it != reg.refs.end() && it->second.expired())
      reg.refs.erase(it);
  }
  owner_->notify(0, "decref", {{"id", token_.id}, {"count", n}});
}

} // namespace mpactor

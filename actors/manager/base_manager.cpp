#include <mpactor/actors/manager/base_manager.hpp>

#include <csignal>
#include <cstring>
#include <thread>

#include <fcntl.h>
#include <poll.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <mpactor/actors/wire/handshake.hpp>
#include <mpactor/actors/wire/secret.hpp>
#include <mpactor/shm/error.hpp>

namespace mpactor {

struct BaseManager::state {
  Address address;
  std::string authkey;
  std::shared_ptr<object_registry> registry = std::make_shared<object_registry>();
  std::unique_ptr<Process> process;
  std::unique_ptr<server> local_server;
  std::shared_ptr<ssl_ctx_st> tls_server; // set_tls: for the server side
  std::shared_ptr<ssl_ctx_st> tls_client; // set_tls: for this process's links
  std::shared_ptr<client> link; // made by start() or connect()
  server_limits limits;
  bool python_on = false;  // serve_python() was called
  Address python{"", 0};   // where Python clients connect
  bool python_md5 = true;  // whether MD5 answers are taken
  bool connected = false;
  bool shut_down = false;
};

namespace {

// Ends this (server) process when `parent` ends, however it ends.
void exit_with_parent(pid_t parent) {
  int fd = static_cast<int>(syscall(SYS_pidfd_open, parent, 0));
  if (fd < 0 || getppid() != parent)
    _exit(0);
  std::thread([fd] {
    pollfd pfd{fd, POLLIN, 0};
    while (::poll(&pfd, 1, -1) < 0 && errno == EINTR) {
      // retry
    }
    _exit(0);
  }).detach();
}

} // namespace

BaseManager::BaseManager(Address address, std::string authkey)
  : st_(std::make_unique<state>()) {
  st_->address = std::move(address);
  st_->authkey = std::move(authkey);
}

BaseManager::~BaseManager() {
  if (st_) {
    try {
      shutdown();
    } catch (...) {
      // nothing more to do
    }
  }
}

BaseManager::BaseManager(BaseManager&&) noexcept = default;
BaseManager& BaseManager::operator=(BaseManager&&) noexcept = default;

void BaseManager::start(std::function<void()> initializer) {
  if (st_->shut_down)
    throw ProcessError("Manager has shut down");
  if (st_->process)
    throw ProcessError("the manager has already been started");
  if (st_->authkey.empty())
    st_->authkey = random_bytes(32);
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0)
    throw ProcessError(std::string{"manager: pipe: "} + std::strerror(errno));
  auto parent = getpid();
  auto* st = st_.get();
  auto process = std::make_unique<Process>([st, fds, parent, initializer] {
    ::close(fds[0]);
    std::signal(SIGINT, SIG_IGN); // Ctrl-C is for the parent to handle
    exit_with_parent(parent);
    harden_process(); // the key is not to be read from a core or by ptrace
    if (initializer)
      initializer();
    server srv{st->address, st->authkey, st->registry, st->tls_server};
    srv.set_limits(st->limits);
    if (st->python_on)
      srv.serve_python(st->python, st->python_md5);
    // Both ports in one write: the parent reads them at once.
    std::uint16_t ports[2] = {srv.address().port, srv.python_address().port};
    (void) !::write(fds[1], ports, sizeof(ports));
    ::close(fds[1]);
    srv.serve_forever();
    std::fflush(nullptr);
    _exit(0); // the actor system is not torn down: nothing else runs here
  });
  process->name("SyncManager-server");
  process->start();
  ::close(fds[1]);
  std::uint16_t ports[2] = {0, 0};
  pollfd pfd{fds[0], POLLIN, 0};
  int rc = ::poll(&pfd, 1, 10000);
  bool ok = rc == 1 && ::read(fds[0], ports, sizeof(ports)) == sizeof(ports);
  ::close(fds[0]);
  if (!ok) {
    process->kill();
    process->join();
    throw ProcessError("the manager's server process did not start (exit code "
                       + std::to_string(process->exitcode().value_or(0)) + ")");
  }
  st_->address.port = ports[0];
  if (st_->python_on)
    st_->python.port = ports[1];
  st_->process = std::move(process);
  st_->connected = true;
  st_->link = client::renew(st_->address, st_->authkey, st_->tls_client);
}

void BaseManager::connect() {
  if (st_->authkey.empty())
    throw AuthenticationError("connect() needs the server's authkey");
  // One call proves the address and the key.
  auto fresh = client::renew(st_->address, st_->authkey, st_->tls_client);
  fresh->call(0, "types", json::object());
  st_->link = std::move(fresh);
  st_->connected = true;
}

void BaseManager::shutdown() {
  if (!st_ || st_->shut_down)
    return;
  st_->shut_down = true;
  if (st_->local_server)
    st_->local_server->shutdown();
  if (!st_->process) {
    // A connected manager has no server of its own: close the link. Its
    // proxies keep their own connections to the server.
    st_->link.reset();
    st_->connected = false;
    return;
  }
  try {
    if (st_->process->is_alive())
      link()->call(0, "shutdown", json::object());
  } catch (const Error&) {
    // already gone, or not answering: made sure of below
  }
  if (!st_->process->join(std::chrono::seconds(2))) {
    st_->process->terminate();
    if (!st_->process->join(std::chrono::seconds(1))) {
      st_->process->kill();
      st_->process->join();
    }
  }
}

void BaseManager::join(Timeout timeout) {
  if (st_->process)
    st_->process->join(timeout);
}

Address BaseManager::address() const {
  return st_->address;
}

const std::string& BaseManager::authkey() const {
  return st_->authkey;
}

server& BaseManager::get_server() {
  if (!st_->local_server) {
    st_->local_server = std::make_unique<server>(st_->address, st_->authkey, st_->registry,
                                                 st_->tls_server);
    st_->local_server->set_limits(st_->limits);
    if (st_->python_on) {
      st_->local_server->serve_python(st_->python, st_->python_md5);
      st_->python = st_->local_server->python_address();
    }
  }
  st_->address = st_->local_server->address();
  return *st_->local_server;
}

void BaseManager::serve_python(const Address& bind, bool accept_md5) {
  if (st_->process)
    throw ProcessError("serve_python() after start(): the server is already running; call it "
                       "before start()");
  if (bind.host.empty() && !bind.is_unix())
    throw ValueError("serve_python() needs a host to bind (\"127.0.0.1\" for this machine)");
  st_->python_on = true;
  if (st_->local_server) {
    st_->local_server->serve_python(bind, accept_md5);
    st_->python = st_->local_server->python_address();
    return;
  }
  st_->python = bind;
  st_->python_md5 = accept_md5;
}

Address BaseManager::python_address() const {
  return st_->python;
}

void BaseManager::refuse_registration_if_started(const std::string& type_id) const {
  if (st_->process)
    throw ProcessError("cannot register '" + type_id
                       + "': the manager is already started and its server would not "
                         "know it; register types before start() (Manager() is started: "
                         "use SyncManager m; m.register_type...; m.start())");
}

void BaseManager::register_factory(const std::string& type_id, object_factory factory) {
  refuse_registration_if_started(type_id);
  st_->registry->add(type_id, std::move(factory));
}

void BaseManager::set_limits(const server_limits& limits) {
  limits.validate();
  st_->limits = limits;
}

void BaseManager::set_tls(const TlsConfig& config) {
  st_->tls_server = make_tls_context(config, true);
  st_->tls_client = make_tls_context(config, false);
}

void BaseManager::register_shared(const std::string& type_id,
                                  const std::string& base_type_id, json args) {
  refuse_registration_if_started(type_id);
  // Now rather than at the first create, where the name would be the
  // client's mistake.
  if (st_->registry->find(base_type_id) == nullptr
      && st_->registry->find_actor(base_type_id) == nullptr)
    throw ValueError("register_shared('" + type_id + "'): unknown type id '" + base_type_id
                     + "' (register it first; dict, list, Queue, ... are SyncManager's)");
  st_->registry->add_shared(type_id, base_type_id, std::move(args));
}

void BaseManager::register_actor(const std::string& type_id, actor_spawner spawner) {
  refuse_registration_if_started(type_id);
  st_->registry->add_actor(type_id, std::move(spawner));
}

object_registry& BaseManager::registry() {
  return *st_->registry;
}

std::shared_ptr<client> BaseManager::link() const {
  if (!st_->connected && !st_->process)
    throw ValueError("the manager is neither started nor connected");
  if (st_->link)
    return st_->link;
  return client::for_address(st_->address, st_->authkey, st_->tls_client);
}

std::shared_ptr<object_ref> BaseManager::create_ref(const std::string& type_id,
                                                    json args) const {
  auto cl = link();
  json marker;
  try {
    marker = cl->call(0, "create", {{"typeid", type_id}, {"args", std::move(args)}});
  } catch (const ConnectionError& e) {
    raise_manager_gone(cl->address(), e);
  }
  std::vector<std::shared_ptr<object_ref>> keep;
  cl->adopt_markers(marker, keep);
  if (keep.empty())
    throw RemoteError("create returned no object");
  return keep.front();
}

BaseProxy BaseManager::create(const std::string& type_id, json args) const {
  return BaseProxy(create_ref(type_id, std::move(args)));
}

json BaseManager::stats() const {
  return link()->call(0, "stats", json::object());
}

bool BaseManager::is_alive() const {
  return st_->process && st_->process->is_alive();
}

pid_t BaseManager::server_pid() const {
  return st_->process ? st_->process->pid() : 0;
}

} // namespace mpactor

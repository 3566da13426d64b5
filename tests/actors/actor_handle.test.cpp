// Actor handles of managed objects: CAF actors in another process use them
// with request(...).then(...), blocking operations are deferred replies,
// errors are typed, a dead manager fails pending calls, and a handle (also
// one received from another CAF node) is wrapped back into a proxy.

#include <catch2/catch.hpp>

#include <chrono>
#include <csignal>
#include <string>
#include <utility>
#include <vector>

#include <caf/all.hpp>
#include <caf/io/all.hpp>

#include <mpactor/mpactor.hpp>

#include "eventually.hpp"

using namespace std::chrono_literals;
using mpactor_test::eventually;
using namespace mpactor;
using clock_type = std::chrono::steady_clock;

namespace {

caf::actor_system_config& config() {
  static caf::actor_system_config cfg = [] {
    caf::actor_system_config c;
    c.set("logger.verbosity", caf::atom("quiet"));
    add_message_types(c);
    c.load<caf::io::middleman>();
    return c;
  }();
  return cfg;
}

// Sends one call through `handle` and waits for its answer (the test is not
// an actor; the actors below use then()).
json call(caf::scoped_actor& self, const caf::actor& handle, const std::string& method,
          json args = json::object()) {
  json out;
  caf::error failure;
  self->request(handle, std::chrono::seconds(30), call_atom::value, method, std::move(args))
    .receive([&](json& v) { out = std::move(v); }, [&](caf::error& e) { failure = e; });
  if (failure)
    raise_error(failure);
  return out;
}

// The same from a new actor each time.
json call(caf::actor_system& sys, const caf::actor& handle, const std::string& method,
          json args = json::object()) {
  caf::scoped_actor self{sys};
  return call(self, handle, method, std::move(args));
}

} // namespace

TEST_CASE("An actor uses a managed dict through its handle without blocking") {
  auto m = Manager();
  auto d = m.dict({{"a", 1}});
  caf::actor_system sys{config()};
  auto handle = d.actor(sys);
  // An event-based actor: each step is a request whose then() makes the next.
  auto results = std::make_shared<std::vector<json>>();
  auto worker = sys.spawn([=](caf::event_based_actor* self) {
    self->request(handle, caf::infinite, call_atom::value, std::string{"set"},
                  json{{"key", "b"}, {"value", 2}})
      .then([=](const json&) {
        self->request(handle, caf::infinite, call_atom::value, std::string{"get"},
                      json{{"key", "a"}})
          .then([=](const json& a) {
            results->push_back(a);
            self->request(handle, caf::infinite, call_atom::value, std::string{"size"},
                          json::object())
              .then([=](const json& n) {
                results->push_back(n);
                self->quit();
              });
          });
      });
  });
  caf::scoped_actor waiter{sys};
  waiter->wait_for(worker);
  REQUIRE(results->size() == 2);
  CHECK((*results)[0] == 1);
  CHECK((*results)[1] == 2);
  CHECK(d.get<int>("b") == 2);
}

TEST_CASE("Many calls of an actor are in flight at once and each gets its own reply") {
  auto m = Manager();
  json init = json::object();
  for (int i = 0; i < 500; ++i)
    init[std::to_string(i)] = i * 7;
  auto d = m.dict(init);
  caf::actor_system sys{config()};
  auto handle = d.actor(sys);
  auto sum = std::make_shared<long>(0);
  auto worker = sys.spawn([=](caf::event_based_actor* self) {
    auto left = std::make_shared<int>(500);
    for (int i = 0; i < 500; ++i)
      self->request(handle, caf::infinite, call_atom::value, std::string{"get"},
                    json{{"key", std::to_string(i)}})
        .then([=](const json& v) {
          *sum += v.get<long>();
          if (--*left == 0)
            self->quit();
        });
  });
  caf::scoped_actor waiter{sys};
  waiter->wait_for(worker);
  CHECK(*sum == 7L * (499 * 500 / 2));
}

TEST_CASE("Errors reach an actor as typed caf errors") {
  auto m = Manager();
  auto d = m.dict();
  caf::actor_system sys{config()};
  auto handle = d.actor(sys);
  caf::scoped_actor self{sys};
  caf::error failure;
  self->request(handle, std::chrono::seconds(30), call_atom::value, std::string{"get"},
                json{{"key", "missing"}})
    .receive([&](json&) {}, [&](caf::error& e) { failure = e; });
  REQUIRE(failure);
  CHECK(error_of(failure) == error_code::key_error);
  CHECK(message_of(failure).find("missing") != std::string::npos);
  CHECK_THROWS_AS(raise_error(failure), KeyError);
  CHECK_THROWS_AS(call(sys, handle, "no_such_method"), AttributeError);
  CHECK_THROWS_AS(call(sys, handle, "get", json::array({1})), TypeError);
}

TEST_CASE("A Queue get through a handle is a deferred reply answered by a later put") {
  auto m = Manager();
  auto q = m.Queue();
  caf::actor_system sys{config()};
  auto handle = q.actor(sys);
  auto got = std::make_shared<json>();
  auto consumer = sys.spawn([=](caf::event_based_actor* self) {
    self->request(handle, caf::infinite, call_atom::value, std::string{"get"},
                  json{{"timeout", 30}})
      .then([=](json& v) {
        *got = std::move(v);
        self->quit();
      });
  });
  // The consumer's get waits in the server; the put comes from elsewhere.
  REQUIRE(eventually([&] { return q.n_waiting() == 1; }));
  Process producer([q] { q.put("hello"); });
  producer.start();
  producer.join();
  caf::scoped_actor waiter{sys};
  waiter->wait_for(consumer);
  CHECK(*got == "hello");
  CHECK_THROWS_AS(call(sys, handle, "get", {{"timeout", 0.05}}), Empty);
}

TEST_CASE("Event and Condition waits through a handle are deferred and time out in the server") {
  auto m = Manager();
  auto ev = m.Event();
  auto cond = m.Condition();
  caf::actor_system sys{config()};
  auto ev_handle = ev.actor(sys);
  auto woke = std::make_shared<json>();
  auto waiter = sys.spawn([=](caf::event_based_actor* self) {
    self->request(ev_handle, caf::infinite, call_atom::value, std::string{"wait"},
                  json{{"timeout", 30}})
      .then([=](json& v) {
        *woke = v;
        self->quit();
      });
  });
  REQUIRE(eventually([&] { return ev.n_waiting() == 1; })); // the wait is in the server
  Process setter([ev] { ev.set(); });
  setter.start();
  setter.join();
  caf::scoped_actor self{sys};
  self->wait_for(waiter);
  CHECK(*woke == true);
  auto cond_handle = cond.actor(sys);
  CHECK(call(self, cond_handle, "acquire", {{"timeout", 1}}) == true);
  CHECK(call(self, cond_handle, "wait", {{"timeout", 0.05}}) == false); // nobody notifies
  CHECK_THROWS_AS(call(sys, cond_handle, "release"), RuntimeError); // another actor's lock
  call(self, cond_handle, "release");
  CHECK_THROWS_AS(call(self, cond_handle, "wait", {{"timeout", 0.05}}), RuntimeError); // not held
}

TEST_CASE("An RLock acquired through a handle belongs to the acquiring actor") {
  auto m = Manager();
  auto lock = m.RLock();
  caf::actor_system sys{config()};
  auto handle = lock.actor(sys);
  caf::scoped_actor a{sys};
  caf::scoped_actor b{sys};
  auto ask = [&](caf::scoped_actor& who, const std::string& method, json args) {
    json out;
    caf::error failure;
    who->request(handle, std::chrono::seconds(30), call_atom::value, method, std::move(args))
      .receive([&](json& v) { out = std::move(v); }, [&](caf::error& e) { failure = e; });
    if (failure)
      raise_error(failure);
    return out;
  };
  CHECK(ask(a, "acquire", {{"timeout", 1}}) == true);
  CHECK(ask(b, "acquire", {{"timeout", 0.05}}) == false);
  CHECK_THROWS_AS(ask(b, "release", json::object()), RuntimeError);
  ask(a, "release", json::object());
  CHECK(ask(b, "acquire", {{"timeout", 1}}) == true);
  CHECK_FALSE(lock.acquire(false)); // a proxy's thread is another owner still
  ask(b, "release", json::object());
}

TEST_CASE("A handle is wrapped back into a proxy of the same object") {
  auto m = Manager();
  caf::actor_system sys{config()};
  caf::actor handle;
  {
    auto d = m.dict({{"k", "v"}});
    handle = d.actor(sys);
  } // the handle alone keeps the object alive
  auto again = wrap<DictProxy>(sys, handle);
  CHECK(again.get<std::string>("k") == "v");
  again.set("n", 5);
  CHECK(call(sys, handle, "get", {{"key", "n"}}) == 5);
  CHECK(call(sys, handle, "get", {{"key", "k"}}) == "v");
  auto not_an_object = sys.spawn([](caf::event_based_actor*) -> caf::behavior {
    return {[](int x) { return x; }};
  });
  CHECK_THROWS_AS(wrap<DictProxy>(sys, not_an_object), TypeError);
  caf::anon_send_exit(not_an_object, caf::exit_reason::user_shutdown);
}

TEST_CASE("A reply naming a managed object carries its address and keeps it alive") {
  auto m = Manager();
  auto outer = m.dict();
  outer.set("inner", m.list(json::array({1, 2})));
  caf::actor_system sys{config()};
  auto handle = outer.actor(sys);
  auto marker = call(sys, handle, "get", {{"key", "inner"}});
  auto t = Token::from_marker(marker);
  REQUIRE(t);
  CHECK_FALSE(t->is_local());
  outer.clear(); // only the reference of the handles' link is left
  auto inner = outer.convert<ListProxy>(marker);
  CHECK(inner.size() == 2);
}

namespace {

// Spawns an actor whose get on `handle` (no timeout of its own beyond 20 s)
// is pending in the server, stops the server with `sig`, and returns the
// error the get failed with and how long after the signal it came.
std::pair<caf::error, clock_type::duration> pending_get_fails(SyncManager& m, int sig) {
  auto q = m.Queue();
  caf::actor_system sys{config()};
  auto handle = q.actor(sys);
  auto failure = std::make_shared<caf::error>();
  auto failed_at = std::make_shared<clock_type::time_point>();
  auto consumer = sys.spawn([handle, failure, failed_at](caf::event_based_actor* a) {
    a->request(handle, std::chrono::seconds(20), call_atom::value, std::string{"get"},
               json::object())
      .then([=](json&) { a->quit(); },
            [=](caf::error& e) {
              *failed_at = clock_type::now();
              *failure = e;
              a->quit();
            });
  });
  REQUIRE(eventually([&] { return q.n_waiting() == 1; })); // the get waits in the server
  auto signalled = clock_type::now();
  ::kill(m.server_pid(), sig);
  caf::scoped_actor self{sys};
  self->wait_for(consumer);
  CHECK_THROWS_AS(call(sys, handle, "qsize"), ConnectionError); // later calls fail at once
  if (sig == SIGKILL)
    CHECK_THROWS_AS(q.actor(sys), ConnectionError); // and so does a new handle
  return {*failure, *failed_at - signalled};
}

} // namespace

// README: "A killed, frozen or cut-off manager fails every pending call with
// error_code::connection_error within about 1.5 s." A killed server closes
// the socket (at once); a frozen one is found by pings (0.5 s of silence,
// given up at 1.5 s). Tolerance: 3 s, for a loaded 2-core machine.
TEST_CASE("A killed manager fails pending actor calls within about 1.5 s") {
  SyncManager m;
  m.start();
  auto [failure, took] = pending_get_fails(m, SIGKILL);
  REQUIRE(failure);
  CHECK(error_of(failure) == error_code::connection_error);
  CHECK(failure != caf::sec::request_timeout);
  CHECK(took < 3s);
}

TEST_CASE("A frozen manager fails pending actor calls within about 1.5 s") {
  SyncManager m;
  m.start();
  auto pid = m.server_pid();
  auto [failure, took] = pending_get_fails(m, SIGSTOP);
  REQUIRE(failure);
  CHECK(error_of(failure) == error_code::connection_error);
  CHECK(failure != caf::sec::request_timeout);
  CHECK(took >= 1s); // found by the pings, not by a closed socket
  CHECK(took < 3s);
  ::kill(pid, SIGCONT);
  ::kill(pid, SIGKILL);
}

TEST_CASE("A handle sent to another CAF node is used and wrapped there") {
  auto m = Manager();
  auto d = m.dict({{"from", "parent"}});
  auto port = m.Value(0);
  auto ready = m.Event();
  auto done = m.Event();
  // The other node is a process that makes its own actor system after fork.
  Process node([=] {
    ready.wait(30s);
    caf::actor_system sys{config()};
    auto remote = sys.middleman().remote_actor("127.0.0.1", port.get<std::uint16_t>());
    if (!remote)
      throw std::runtime_error("remote_actor: " + sys.render(remote.error()));
    caf::scoped_actor self{sys};
    caf::actor handle;
    self->request(*remote, std::chrono::seconds(10), caf::get_atom::value)
      .receive([&](caf::actor& h) { handle = h; },
               [&](caf::error& e) { throw std::runtime_error(sys.render(e)); });
    call(sys, handle, "set", {{"key", "from"}, {"value", "child"}});
    d.size(); // this process's own client of the manager (wrap needs one)
    auto proxy = wrap<DictProxy>(sys, handle);
    proxy.set("wrapped", true);
    done.set();
    ::_exit(0); // the actor system of a forked child is never destroyed
  });
  node.start();
  caf::actor_system sys{config()};
  auto handle = d.actor(sys);
  auto keeper = sys.spawn([handle]() -> caf::behavior {
    return {[handle](caf::get_atom) { return handle; }};
  });
  auto published = sys.middleman().publish(keeper, 0, "127.0.0.1");
  REQUIRE(published);
  port.set(*published);
  ready.set();
  REQUIRE(done.wait(30s));
  node.join(30s);
  CHECK(node.exitcode() == 0);
  CHECK(d.get<std::string>("from") == "child");
  CHECK(d.get<bool>("wrapped") == true);
  // CAF keeps actors that went to another node registered: stop them.
  caf::anon_send_exit(keeper, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(handle, caf::exit_reason::user_shutdown);
}

TEST_CASE("A forked child closes its copy of the handles' link and the parent's go on") {
  auto m = Manager();
  auto d = m.dict({{"n", 1}});
  caf::actor_system sys{config()};
  auto handle = d.actor(sys);
  CHECK(call(sys, handle, "get", {{"key", "n"}}) == 1);
  // The child uses proxies (its own connections), never the parent's link.
  Process child([d] { d.set("child", true); });
  child.start();
  child.join(30s);
  CHECK(child.exitcode() == 0);
  CHECK(call(sys, handle, "get", {{"key", "child"}}) == true);
}

TEST_CASE("A frozen manager fails an actor's pending call with connection_error") {
  SyncManager m;
  m.start();
  auto q = m.Queue();
  caf::actor_system sys{config()};
  auto handle = q.actor(sys);
  CHECK(call(sys, handle, "qsize") == 0);
  ::kill(m.server_pid(), SIGSTOP); // alive but silent: only pings tell
  caf::scoped_actor self{sys};
  caf::error failure;
  self->request(handle, std::chrono::seconds(20), call_atom::value, std::string{"get"},
                json{{"timeout", 30}})
    .receive([&](json&) {}, [&](caf::error& e) { failure = e; });
  ::kill(m.server_pid(), SIGKILL);
  REQUIRE(failure);
  CHECK(error_of(failure) == error_code::connection_error);
  CHECK(message_of(failure).find("did not answer") != std::string::npos);
}

TEST_CASE("A handle answers messages it does not know with an error and goes on") {
  auto m = Manager();
  auto d = m.dict({{"a", 1}});
  caf::actor_system sys{config()};
  auto handle = d.actor(sys);
  caf::scoped_actor self{sys};
  caf::error failure;
  self->request(handle, std::chrono::seconds(10), 42, std::string{"nonsense"})
    .receive([&](json&) {}, [&](caf::error& e) { failure = e; });
  CHECK(failure == caf::sec::unexpected_message);
  CHECK_THROWS_AS(call(sys, handle, "get", json::array({"not", "named"})), TypeError);
  CHECK(call(sys, handle, "get", {{"key", "a"}}) == 1);
}

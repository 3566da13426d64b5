// User actors spawned on a manager node: they run beside the objects and
// reach them directly, clients call them through proxies and handles, and
// they stop with the manager.

#include <catch2/catch.hpp>

#include <string>

#include <caf/all.hpp>

#include <mpactor/mpactor.hpp>

using namespace std::chrono_literals;
using namespace mpactor;

namespace {

// Adds to counts in a managed dict given at spawn: ("add", {"key", "n"})
// reads and writes the dict with requests to its actor (no connection),
// one call at a time (await keeps the read and the write together).
caf::behavior adder(caf::event_based_actor* self, actor_context& ctx, const json& args) {
  auto totals = ctx.actor_of(args.at("totals"));
  return {
    [=](call_atom, const std::string& method, json& a) -> caf::result<caf::message> {
      if (method != "add")
        return make_error(error_code::attribute_error, "adder has no method '" + method + "'");
      auto key = a.at("key").get<std::string>();
      auto n = a.at("n").get<long>();
      auto rp = self->make_response_promise();
      self->request(totals, caf::infinite, call_atom::value, std::string{"get"},
                    json{{"key", key}, {"default", 0}})
        .await([=](const json& old) mutable {
          auto sum = old.get<long>() + n;
          self->request(totals, caf::infinite, call_atom::value, std::string{"set"},
                        json{{"key", key}, {"value", sum}})
            .await([=](const json&) mutable { rp.deliver(caf::make_message(json(sum))); });
        });
      return rp;
    },
  };
}

SyncManager manager_with_actors() {
  SyncManager m;
  m.register_actor("adder", adder);
  m.register_actor("quitter", [](caf::event_based_actor* self, actor_context&,
                                 const json&) -> caf::behavior {
    return {[=](call_atom, const std::string&, json&) {
      self->quit();
      return caf::make_message(json("bye"));
    }};
  });
  m.register_actor("broken", [](caf::event_based_actor*, actor_context&,
                                const json& args) -> caf::behavior {
    args.at("needed"); // throws: the spawn arguments lack it
    return {};
  });
  m.register_actor("maker", [](caf::event_based_actor*, actor_context& ctx,
                               const json&) -> caf::behavior {
    auto made = ctx.create("list", {{"init", json::array({"x"})}});
    return {[=](call_atom, const std::string&, json&) { return caf::make_message(made); }};
  });
  return m;
}

} // namespace

TEST_CASE("A user actor on the manager node works on a managed dict beside it") {
  auto m = manager_with_actors();
  m.start();
  auto totals = m.dict();
  auto sut = m.create("adder", {{"totals", totals}});
  CHECK(sut.call("add", {{"key", "a"}, {"n", 2}}) == 2);
  CHECK(sut.call("add", {{"key", "a"}, {"n", 5}}) == 7);
  CHECK(totals.get<long>("a") == 7);
  CHECK_THROWS_AS(sut.call("subtract", {{"key", "a"}, {"n", 1}}), AttributeError);
  // Children add concurrently; the actor's one-at-a-time calls lose nothing.
  std::vector<Process> children;
  for (int c = 0; c < 3; ++c)
    children.emplace_back([sut] {
      for (int i = 0; i < 100; ++i)
        sut.call("add", {{"key", "b"}, {"n", 1}});
    });
  for (auto& p : children)
    p.start();
  for (auto& p : children) {
    p.join(60s);
    CHECK(p.exitcode() == 0);
  }
  CHECK(totals.get<long>("b") == 300);
}

TEST_CASE("A user actor is reached from a client's actor through its handle") {
  auto m = manager_with_actors();
  m.start();
  auto totals = m.dict();
  auto sut = m.create("adder", {{"totals", totals}});
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  auto handle = sut.actor(sys);
  caf::scoped_actor self{sys};
  json sum;
  self->request(handle, 30s, call_atom::value, std::string{"add"}, json{{"key", "z"}, {"n", 4}})
    .receive([&](json& v) { sum = v; }, [&](caf::error& e) { raise_error(e); });
  CHECK(sum == 4);
  CHECK(totals.get<long>("z") == 4);
}

TEST_CASE("A user actor keeps the objects of its spawn arguments and of its own making") {
  auto m = manager_with_actors();
  m.start();
  auto sut = m.create("adder", {{"totals", m.dict()}}); // no proxy of the dict left
  CHECK(sut.call("add", {{"key", "k"}, {"n", 1}}) == 1);
  auto maker = m.create("maker");
  auto made = maker.call_as<ListProxy>("get");
  CHECK(made.get(0) == "x");
}

TEST_CASE("A user actor that quits or fails to start answers with RemoteError") {
  auto m = manager_with_actors();
  m.start();
  auto quitter = m.create("quitter");
  CHECK(quitter.call("anything") == "bye");
  CHECK_THROWS_AS(quitter.call("anything"), RemoteError);
  auto broken = m.create("broken");
  try {
    broken.call("anything");
    FAIL("a call to an actor that failed to start succeeded");
  } catch (const RemoteError& e) {
    INFO(e.what());
    CHECK(std::string{e.what()}.find("stopped") != std::string::npos);
    CHECK(std::string{e.what()}.find("needed") != std::string::npos);
  }
  CHECK_THROWS_AS(m.create("no_such_actor_type"), ValueError);
}

TEST_CASE("User actors are stopped with the manager") {
  Value<int> stopped(0); // shared memory: the server process writes it
  SyncManager m;
  m.register_actor("watcher", [stopped](caf::event_based_actor* self, actor_context&,
                                        const json&) -> caf::behavior {
    self->attach_functor([stopped](const caf::error& reason) mutable {
      if (reason == caf::exit_reason::user_shutdown)
        stopped += 1;
    });
    return {[](call_atom, const std::string&, json&) { return caf::make_message(json(1)); }};
  });
  m.start();
  auto a = m.create("watcher");
  auto b = m.create("watcher");
  CHECK(a.call("ping") == 1);
  CHECK(b.call("ping") == 1);
  CHECK(m.stats()["objects_by_type"]["watcher"] == 2);
  m.shutdown();
  m.join(30s);
  CHECK(stopped.value() == 2);
}

TEST_CASE("A client spawns a user actor on a server node it connected to") {
  auto m = Manager();
  auto ports = m.Queue();
  Process node([ports] {
    SyncManager host(Address{"127.0.0.1", 0}, "node key");
    host.register_actor("adder", adder);
    auto& srv = host.get_server();
    ports.put(srv.address().port);
    srv.serve_forever();
  });
  node.start();
  auto port = ports.get<std::uint16_t>(true, 5s);
  {
    SyncManager client(Address{"127.0.0.1", port}, "node key");
    client.connect();
    auto totals = client.dict();
    auto sut = client.create("adder", {{"totals", totals}});
    CHECK(sut.call("add", {{"key", "x"}, {"n", 3}}) == 3);
    CHECK(totals.get<long>("x") == 3);
    caf::actor_system_config cfg;
    caf::actor_system sys{cfg};
    caf::scoped_actor self{sys};
    json sum;
    self->request(sut.actor(sys), 30s, call_atom::value, std::string{"add"},
                  json{{"key", "x"}, {"n", 4}})
      .receive([&](json& v) { sum = v; }, [&](caf::error& e) { raise_error(e); });
    CHECK(sum == 7);
  }
  node.terminate();
  REQUIRE(node.join(5s));
}

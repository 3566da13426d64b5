#include <mpactor/actors/server/python_service.hpp>

#include <algorithm>
#include <optional>
#include <sstream>

#include <caf/all.hpp>

#include <mpactor/actors/core/token.hpp>
#include <mpactor/actors/objects/iterator_object.hpp>
#include <mpactor/actors/objects/object_messages.hpp>
#include <mpactor/actors/python/python_value.hpp>
#include <mpactor/actors/runtime/object_actor.hpp>
#include <mpactor/actors/server/object_call.hpp>
#include <mpactor/shm/error.hpp>

namespace mpactor {

using namespace mpactor::python;

namespace {

// Python connections are numbered apart from native ones (objects tell
// callers apart by connection number).
constexpr std::uint64_t python_ids = std::uint64_t{1} << 62;

json str_tuple(const std::vector<std::string>& names) {
  json::array_t items;
  for (auto& n : names)
    items.emplace_back(n);
  return py_tuple_of(std::move(items));
}

std::uint64_t object_id(const json& ident) {
  if (!ident.is_string())
    throw TypeError("an object id must be a str, got " + python_type_name(ident));
  auto text = ident.get<std::string>();
  try {
    std::size_t used = 0;
    auto id = std::stoull(text, &used);
    if (used == text.size())
      return id;
  } catch (const std::exception&) {
    // below
  }
  throw KeyError(text);
}

// `v` with each value inside it (or itself) that `swap` answers replaced by
// that answer; arrays and objects are walked in place, not copied.
template <class Swap>
json rewrite(json v, const Swap& swap) {
  if (auto r = swap(v))
    return std::move(*r);
  if (v.is_array() || v.is_object())
    for (auto& x : v)
      x = rewrite(std::move(x), swap);
  return v;
}

} // namespace

// A proxy a Python client sent as a value (RebuildProxy) becomes the native
// reference marker of its object, so that the object that stores it holds a
// reference (as Python's server keeps a manager-owned proxy's referent);
// proxies of other servers stay as they are.
json python_service::to_native(json v) const {
  return rewrite(std::move(v), [this](const json& x) -> std::optional<json> {
    if (!is_py(x, "proxy"))
      return std::nullopt;
    auto tagged = py_payload(x).value("token", json::object());
    auto& token = py_payload(tagged);
    if (token.is_object() && token.value("id", json{}).is_string()) {
      try {
        auto id = object_id(token["id"]);
        auto type = env_.table.type_of(id);
        if (!type.empty())
          return Token{type, id, Address{"", 0}}.to_marker();
      } catch (const std::exception&) {
        // not one of ours
      }
    }
    return x;
  });
}

// A reference marker in a result becomes a proxy the Python client rebuilds
// (DictProxy, ListProxy, or AutoProxy with the exposed methods), with this
// listener's address in its token.
json python_service::to_python(json v) const {
  return rewrite(std::move(v), [this](const json& x) -> std::optional<json> {
    auto t = Token::from_marker(x);
    if (!t)
      return std::nullopt;
    auto cls = proxy_class(t->type_id);
    json exposed = nullptr;
    if (cls == "AutoProxy")
      exposed = str_tuple(exposed_of(t->type_id));
    return py_proxy(cls, py_token(t->type_id, py_tuple(addr_.host, addr_.port),
                                  std::to_string(t->id)),
                    exposed);
  });
}

// The methods an AutoProxy of `native_type` gets (a shared name's object, a
// proxy inside a value, a register_type'd class): the protocol's exposed
// names for the SyncManager types, else those the class registered
// (register_type's expose calls). Without the attribute hooks: an AutoProxy
// that defines __getattribute__ as a remote call recurses on its own
// attributes (Python's server exposes no dunder to an AutoProxy of a
// Barrier or Namespace either: its public_methods() has none).
std::vector<std::string> python_service::exposed_of(const std::string& native_type) const {
  auto names = exposed_methods(native_type);
  if (names.empty())
    names = env_.registry->exposed(native_type);
  names.erase(std::remove_if(names.begin(), names.end(),
                             [](const std::string& n) {
                               return n == "__getattribute__" || n == "__setattr__"
                                      || n == "__delattr__";
                             }),
              names.end());
  return names;
}

python_service::python_service(environment env, Address& addr, bool accept_md5)
  : env_(std::move(env)), accept_md5_(accept_md5), accept_(env_.ioc, addr), addr_(addr) {
  references_ = env_.sessions.open(std::string{"\0python-references", 19});
}

void python_service::start() {
  accept_.start([this](acceptor::socket_type s,
                       std::string peer) { on_accept(std::move(s), std::move(peer)); },
                [this](const std::string& line) { log(line); });
}

void python_service::stop() {
  accept_.stop();
  for (auto& c : snapshot())
    c->close("");
}

std::size_t python_service::tick(std::chrono::steady_clock::time_point now) {
  std::size_t active = 0;
  for (auto& c : snapshot())
    active += c->tick(now) ? 1 : 0;
  return active;
}

std::size_t python_service::connections() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return conns_.size();
}

std::size_t python_service::unsent() const {
  std::size_t n = 0;
  for (auto& c : snapshot())
    n += c->unsent();
  return n;
}

std::vector<std::shared_ptr<python_connection>> python_service::snapshot() const {
  std::lock_guard<std::mutex> guard{mtx_};
  std::vector<std::shared_ptr<python_connection>> all;
  for (auto& [id, c] : conns_)
    all.push_back(c);
  return all;
}

void python_service::on_accept(acceptor::socket_type sock, std::string peer) {
  if (!env_.may_accept(peer)) {
    boost::system::error_code ignored;
    sock.close(ignored);
    return;
  }
  auto at = env_.pin(sock);
  if (!at)
    return;
  auto id = python_ids | next_id_++;
  auto conn = std::make_shared<python_connection>(*this, std::move(sock), id, std::move(peer));
  conn->placed(*at);
  conn->reply_actor(make_reply_actor(env_.sys, conn, [this](stream_connection& sc,
                                                            std::uint64_t request,
                                                            caf::type_erased_tuple& content) {
    respond(static_cast<python_connection&>(sc), request, content);
  }));
  {
    std::lock_guard<std::mutex> guard{mtx_};
    conns_.emplace(id, conn);
  }
  conn->start();
}

void python_service::closed(python_connection& c) {
  end_calls(c, c.session(), env_.table, env_.sessions);
  std::shared_ptr<python_connection> keep; // freed outside the lock
  {
    std::lock_guard<std::mutex> guard{mtx_};
    auto it = conns_.find(c.id());
    if (it != conns_.end()) {
      keep = std::move(it->second);
      conns_.erase(it);
    }
  }
}

void python_service::reply(python_connection& c, const char* kind, const json& value) {
  std::string bytes(python_connection::header_room, '\0');
  try {
    writer_.write_pair(kind, value, bytes);
  } catch (const std::exception& e) {
    writer_.write_pair("#UNSERIALIZABLE", std::string{e.what()}, bytes);
  }
  c.send_framed(std::move(bytes));
}

void python_service::handle(python_connection& c, std::string_view message) {
  env_.calls.fetch_add(1, std::memory_order_relaxed);
  // A request is a tuple: its items come untagged, and its args (item 2) as
  // the array of their items (no tuple to build and free on every call).
  std::optional<json::array_t> request;
  try {
    request = reader_.read_tuple(message, 2);
  } catch (const std::exception& e) {
    // As Python's server does with a request it cannot read: a traceback,
    // and the connection goes on. Nothing in the pickle was run.
    log("Python client " + c.peer() + ": refused request: " + e.what());
    reply(c, "#TRACEBACK", std::string{"mpactor: refused request: "} + e.what());
    return;
  }
  try {
    if (!request || request->size() != 4 || !(*request)[1].is_string())
      throw TypeError("a request is (ident, methodname, args, kwds)");
    auto& r = *request;
    static const json no_kwds = json::object();
    auto& args = r[2];
    const auto& kwds = is_py_dict(r[3]) ? r[3] : no_kwds;
    if (r[0].is_null())
      control(c, r[1].get<std::string>(), args, kwds);
    else
      call(c, r[0].is_string() ? r[0].get<std::string>() : r[0].dump(), r[1].get<std::string>(),
           args, kwds);
  } catch (const std::exception& e) {
    reply(c, "#ERROR", exception_of(e));
  }
}

std::uint64_t python_service::create(const std::string& typeid_, const json& args,
                                      const json& kwds, std::vector<std::string>& exposed) {
  if (auto* shared = env_.registry->find_shared(typeid_)) {
    auto marker = env_.service.call("create", {{"typeid", typeid_}}, references_);
    exposed = exposed_of(shared->first);
    return Token::from_marker(marker)->id;
  }
  auto native = map_create(typeid_, args, kwds);
  exposed = exposed_methods(typeid_);
  if (exposed.empty())
    exposed = exposed_of(native.type_id);
  return env_.service.create(native.type_id, to_native(std::move(native.args)), references_);
}

void python_service::control(python_connection& c, const std::string& m, const json& args,
                             const json& kwds) {
  auto& a = py_payload(args);
  auto first = [&]() -> const json& {
    if (!a.is_array() || a.empty())
      throw TypeError(m + "() missing an argument");
    return a[0];
  };
  if (m == "dummy") {
    reply(c, "#RETURN", nullptr);
  } else if (m == "create") {
    auto typeid_ = first().get<std::string>();
    json::array_t rest(a.begin() + 1, a.end());
    std::vector<std::string> exposed;
    auto id = create(typeid_, py_tuple_of(std::move(rest)), kwds, exposed);
    reply(c, "#RETURN", py_tuple(std::to_string(id), str_tuple(exposed)));
  } else if (m == "incref") {
    auto id = object_id(first());
    if (!env_.table.grant(references_, id))
      throw KeyError(first().get<std::string>());
    reply(c, "#RETURN", nullptr);
  } else if (m == "decref") {
    env_.table.release(references_, object_id(first()), 1);
    reply(c, "#RETURN", nullptr);
  } else if (m == "get_methods") {
    // By the token's object, as Python's server does: its type id may be a
    // shared name.
    auto& token = first();
    std::string type;
    if (is_py(token, "token")) {
      auto& t = py_payload(token);
      type = env_.table.type_of(object_id(t.value("id", json{})));
      if (type.empty())
        throw KeyError(t.value("id", json{}).dump());
    }
    reply(c, "#RETURN", str_tuple(exposed_of(type)));
  } else if (m == "number_of_objects") {
    reply(c, "#RETURN", env_.table.size());
  } else if (m == "debug_info") {
    std::ostringstream out;
    for (auto& [type, n] : env_.table.count_by_type())
      out << "  " << type << ": " << n << " object(s)\n";
    reply(c, "#RETURN", out.str());
  } else if (m == "shutdown") {
    reply(c, "#RETURN", nullptr);
    c.flush();
    env_.service.call("shutdown", json::object(), 0);
  } else if (m == "accept_connection") {
    if (c.session() == 0)
      c.session(env_.sessions.open(std::string{"\0python/", 8} + std::to_string(c.id())));
    reply(c, "#RETURN", nullptr);
  } else {
    throw AttributeError("the manager has no method '" + m + "'");
  }
}

void python_service::call(python_connection& c, const std::string& ident, const std::string& m,
                          const json& args, const json& kwds) {
  auto id = object_id(ident);
  auto obj = env_.table.view_of(id);
  if (!obj.actor)
    throw RemoteError("no managed object with id " + ident + " (it was freed)");
  if (c.session() == 0)
    c.session(env_.sessions.open(std::string{"\0python/", 8} + std::to_string(c.id())));
  auto nc = map_call(obj.type_id, m, args, kwds);
  auto& ledger = *c.ledger();
  if (ledger.pending.load() >= env_.limits.max_pending_calls)
    throw RemoteError("too many pending calls on this connection");
  auto request = c.next_request();
  auto method = nc.method;
  auto body = to_native(std::move(nc.args));
  nc.object = id;
  c.pending(request, std::move(nc));
  caller who{c.session(), c.id(), c.id()};
  bool may_wait = obj.may_wait(method);
  if (enqueue_call(c, obj.actor, id, may_wait, true, request, std::move(method), std::move(body),
                   who))
    env_.sessions.note_object(c.session(), id);
}

// An Iterator over `items` (what the call `nc` returned: a dict's keys, a
// copy of a list), held by the Python references as a create's object is;
// over a dict, it checks that dict's size as Python's dict iterator does.
std::uint64_t python_service::make_iterator(const native_call& nc, json items) {
  std::shared_ptr<const dict_object> dict;
  if (nc.type == "dict")
    dict = std::dynamic_pointer_cast<const dict_object>(env_.table.state_of(nc.object));
  auto state = std::make_shared<iterator_object>(std::move(items), std::move(dict), env_.table);
  auto actor = spawn_object_actor(env_.sys, state, env_.table);
  auto id = env_.table.add("Iterator", std::move(actor), std::move(state));
  env_.table.grant(references_, id);
  return id;
}

void python_service::respond(python_connection& c, std::uint64_t request,
                             caf::type_erased_tuple& content) {
  auto nc = c.take_pending(request);
  if (!nc)
    return;
  try {
    if (content.match_elements<caf::error>()) {
      auto& err = content.get_as<caf::error>(0);
      if (err.category() == error_category) {
        std::string text = "error";
        if (err.context().match_elements<std::string>())
          text = err.context().get_as<std::string>(0);
        auto code = static_cast<error_code>(err.code());
        if (code == error_code::remote_error)
          reply(c, "#TRACEBACK", traceback_of(*nc, text));
        else
          reply(c, "#ERROR", map_error(*nc, code, text));
      } else {
        reply(c, "#TRACEBACK", env_.sys.render(err));
      }
      return;
    }
    json result;
    if (content.match_elements<json>())
      result = std::move(content.get_mutable_as<json>(0));
    if (nc->shape == result_shape::iterator) {
      auto id = make_iterator(*nc, std::move(result));
      reply(c, "#PROXY",
            py_tuple(str_tuple(exposed_methods("Iterator")),
                     py_token("Iterator", nullptr, std::to_string(id))));
      return;
    }
    auto made = env_.registry->result_type(nc->type, nc->method);
    if (auto t = made.empty() ? std::nullopt : Token::from_marker(result)) {
      // Python's method_to_typeid: the client makes the proxy, increfs it,
      // then decrefs the reference this reply carries; that reference moves
      // from the connection's session (granted with the result) to the
      // Python references.
      env_.table.grant(references_, t->id);
      env_.table.release(c.session(), t->id, 1);
      reply(c, "#PROXY", py_tuple(str_tuple(exposed_of(t->type_id)),
                                  py_token(t->type_id, nullptr, std::to_string(t->id))));
      return;
    }
    reply(c, "#RETURN", map_result(*nc, to_python(std::move(result))));
  } catch (const std::exception& e) {
    reply(c, "#ERROR", exception_of(e));
  }
}

} // namespace mpactor

#pragma once

// BaseProxy: the blocking C++ face of a managed object (Python's BaseProxy).
//
// A proxy is a cheap handle: copies refer to the same object, and while any
// proxy (in any process) or managed container refers to an object, it lives.
// Threads of a process may share proxies; a forked child uses them directly
// (its calls go over its own connection). Each call is one round trip and
// raises the server's error as the matching exception, or ConnectionError
// when the server is gone or stops answering; none hangs on a dead server.
//
// A proxy converts to json as a reference marker, so storing it in a managed
// object stores a live reference; get<ListProxy>(...) reads one back.

#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include <caf/fwd.hpp>

#include <mpactor/actors/client/client.hpp>
#include <mpactor/actors/core/json.hpp>
#include <mpactor/actors/client/object_ref.hpp>
#include <mpactor/actors/core/token.hpp>
#include <mpactor/shm/timeout.hpp>

namespace mpactor {

class BaseProxy {
public:
  /// A proxy that refers to nothing (calls raise ValueError).
  BaseProxy() = default;

  /// A proxy of the object `ref` refers to.
  explicit BaseProxy(std::shared_ptr<object_ref> ref) : ref_(std::move(ref)) {
    // nop
  }

  /// The object's token (type id, id, server address).
  const Token& token() const;

  /// Whether the proxy refers to an object.
  bool valid() const noexcept { return ref_ != nullptr; }
  explicit operator bool() const noexcept { return valid(); }

  /// Calls `method` with named arguments; returns its json result.
  json call(const std::string& method, json args = json::object()) const;

  /// Sends a call to `method` without waiting for its reply (pipelining):
  /// the calling thread's later calls reach the server after it, and the
  /// thread's next call first raises the error of a failed send. Another
  /// process learns of the call only through the manager (a later call of
  /// this thread, an Event it sets), not through join(): use call() or a
  /// Batch where that matters.
  void send(const std::string& method, json args = json::object()) const;

  /// The object's CAF actor handle in `sys`, for actors that must not
  /// block (see object_handle.hpp). ConnectionError if the manager cannot
  /// be reached.
  caf::actor actor(caf::actor_system& sys) const;

  /// Calls `method` and converts the result to T (a proxy type, or anything
  /// json converts to); TypeError if it does not fit.
  template <class T>
  T call_as(const std::string& method, json args = json::object()) const {
    std::vector<std::shared_ptr<object_ref>> keep;
    auto result = raw_call(method, std::move(args), keep);
    return convert<T>(result);
  }

  /// Converts a json value from this proxy's server to T; proxy types are
  /// made from reference markers.
  template <class T>
  T convert(const json& value) const {
    if constexpr (std::is_base_of_v<BaseProxy, T>) {
      auto t = Token::from_marker(value);
      if (!t)
        throw TypeError("expected a proxy, got " + json_type_name(value) + " ("
                        + python_repr(value) + ")");
      return T(adopt(*t));
    } else {
      return json_as<T>(value);
    }
  }

  /// The client that carries this proxy's calls.
  const std::shared_ptr<client>& owner() const;

  /// Two proxies are equal when they refer to the same object.
  friend bool operator==(const BaseProxy& x, const BaseProxy& y) {
    return x.ref_ == y.ref_
           || (x.ref_ && y.ref_ && x.token().id == y.token().id
               && x.token().address == y.token().address);
  }
  friend bool operator!=(const BaseProxy& x, const BaseProxy& y) { return !(x == y); }

  /// This proxy as json: a reference marker. A template over the proxy
  /// type, so it wins over nlohmann's array conversion for proxies that
  /// have begin()/end() (DictProxy, ListProxy, ArrayProxy).
  template <class P, std::enable_if_t<std::is_base_of_v<BaseProxy, P>, int> = 0>
  friend void to_json(json& j, const P& p) {
    j = p.valid() ? p.token().to_marker() : json{};
  }

protected:
  json raw_call(const std::string& method, json args,
                std::vector<std::shared_ptr<object_ref>>& keep) const;
  std::shared_ptr<object_ref> adopt(const Token& t) const;

  std::shared_ptr<object_ref> ref_;
};

/// Rethrows `e`, a ConnectionError from a call to the manager at `address`,
/// with one wording however the link broke ("connection closed by peer",
/// "send: Broken pipe", a silent server): "the manager at ADDRESS is gone
/// (DETAIL)". A restarted manager keeps its own message.
[[noreturn]] void raise_manager_gone(const Address& address, const ConnectionError& e);

/// A number that names the calling thread within its process (lock owners).
std::uint64_t this_thread_number();

/// A Timeout as a call argument: seconds, or null for no limit.
inline json timeout_json(const Timeout& timeout) {
  if (!timeout)
    return json{};
  return std::chrono::duration<double>(*timeout).count();
}

} // namespace mpactor

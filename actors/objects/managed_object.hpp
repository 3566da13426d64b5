#pragma once

// managed_object: the state and message handlers of one managed object.
//
// Each managed type (dict, list, Queue, Lock, ...) is a managed_object
// subclass in <type>_object.hpp; object_actor hosts one in a CAF actor, so its
// methods run one message at a time and never concurrently. call() returns a
// json result or a caf::error (make_error), or defers: it keeps the
// response_promise from ctx.defer() and delivers it later, from another call
// or from expire() when the deadline set by ctx.expire_after() passes.
//
// Values that hold reference markers (nested proxies) must be counted with
// the object_table: hold() when stored, drop() when destroyed, and
// ctx.drop_after_reply() when a value leaves the object for the caller (a
// pop): the reply counts it for the caller's session first, so it is never
// freed in between. Deferred results are delivered with ctx.deliver().

#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include <caf/event_based_actor.hpp>
#include <caf/response_promise.hpp>
#include <caf/result.hpp>

#include <mpactor/actors/core/json.hpp>
#include <mpactor/actors/objects/object_messages.hpp>

namespace mpactor {

class object_table;

/// What a handler knows about the call it runs.
class call_context {
public:
  call_context(caf::event_based_actor* self, const caller& who, object_table& objects)
    : self_(self), who_(who), objects_(objects) {
    // nop
  }

  const caller& who() const noexcept { return who_; }
  object_table& objects() noexcept { return objects_; }
  caf::event_based_actor* self() noexcept { return self_; }

  /// Defers the reply; deliver the promise later.
  caf::response_promise defer() { return self_->make_response_promise(); }

  /// Arranges expire(ticket) after `seconds`; returns the ticket.
  std::uint64_t expire_after(double seconds);

  /// Gives back the references `value` held in this object once the reply
  /// has counted them for the caller (a value that leaves the object).
  void drop_after_reply(json value) { dropped_.push_back(std::move(value)); }

  /// Values to drop after the reply (for object_actor).
  std::vector<json>& dropped() noexcept { return dropped_; }

  /// Delivers `value` to a deferred caller `who`, counting its references
  /// for the caller's session first.
  void deliver(caf::response_promise& rp, const caller& who, json value);

private:
  std::vector<json> dropped_;
  caf::event_based_actor* self_;
  const caller& who_;
  object_table& objects_;
};

/// What a handler returns: a json value (anything json converts from), an
/// error, or a deferred reply (the promise it keeps to deliver later).
class outcome {
public:
  template <class T, class = std::enable_if_t<std::is_constructible_v<json, T&&>
                                              && !std::is_same_v<std::decay_t<T>, caf::error>
                                              && !std::is_same_v<std::decay_t<T>, caf::response_promise>>>
  outcome(T&& value) : value_(std::forward<T>(value)) {
    // nop
  }
  outcome(caf::error err) : err_(std::move(err)) {
    // nop
  }
  outcome(caf::response_promise) : deferred_(true) {
    // nop
  }

  bool deferred() const noexcept { return deferred_; }
  bool failed() const noexcept { return static_cast<bool>(err_); }
  json& value() noexcept { return value_; }
  caf::error& error() noexcept { return err_; }

private:
  json value_;
  caf::error err_;
  bool deferred_ = false;
};

class managed_object {
public:
  virtual ~managed_object() = default;

  /// Handles one call (see object_messages.hpp).
  virtual outcome call(call_context& ctx, const std::string& method, json& args) = 0;

  /// A deadline set with expire_after() passed.
  virtual void expire(call_context&, std::uint64_t) {
    // nop
  }

  /// Whether a call of `method` may be answered later, once another caller
  /// acts (a get of an empty Queue, an acquire of a held Lock). Only such
  /// calls are cancelled when their connection goes, only their replies come
  /// back as undelivered(), and only a session that made one is release()d
  /// here when it ends; each type names its own. None by default.
  virtual bool may_wait(const std::string& /*method*/) const noexcept { return false; }

  /// Connection `connection` is gone: drop its pending calls.
  virtual void cancel(std::uint64_t) {
    // nop
  }

  /// The reply `result` to a `method` call of `connection` found the
  /// connection gone before it was written: take back what it gave (a
  /// Queue item returns to the head, a lock granted to it is released).
  virtual void undelivered(call_context&, std::uint64_t /*connection*/,
                           const std::string& /*method*/, json& /*result*/) {
    // nop
  }

  /// Session `session` is gone: release what it held.
  virtual void release(call_context&, std::uint64_t) {
    // nop
  }
};

/// An error for a method the object does not have.
caf::error no_such_method(const std::string& type, const std::string& method);

/// Reads optional argument `name` of `args` as T; TypeError on a wrong type.
template <class T>
T arg(const json& args, const char* name, T fallback) {
  auto it = args.find(name);
  if (it == args.end() || it->is_null())
    return fallback;
  return json_as<T>(*it);
}

/// Reads required argument `name`; TypeError if missing or of a wrong type.
template <class T>
T required_arg(const json& args, const char* name) {
  auto it = args.find(name);
  if (it == args.end())
    throw TypeError(std::string{"missing argument '"} + name + "'");
  return json_as<T>(*it);
}

/// The "timeout" argument in seconds; none means no limit.
inline std::optional<double> timeout_arg(const json& args) {
  auto it = args.find("timeout");
  if (it == args.end() || it->is_null())
    return std::nullopt;
  if (!it->is_number())
    throw TypeError("timeout must be a number of seconds, got " + json_type_name(*it));
  double t = it->get<double>();
  return t < 0 ? 0.0 : t;
}

} // namespace mpactor

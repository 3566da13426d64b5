#include <mpactor/actors/runtime/object_actor.hpp>

#include <atomic>
#include <chrono>

#include <caf/all.hpp>

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::shared_ptr<mpactor::managed_object>)

namespace mpactor {

namespace {

std::atomic<std::uint64_t> next_ticket{1};

struct object_actor_state {
  std::shared_ptr<managed_object> object;
  object_table* table = nullptr;
  static inline const char* name = "mpactor.object";
};

template <class F>
outcome guarded(F&& fn) {
  try {
    return fn();
  } catch (const json::type_error& e) {
    return make_error(error_code::type_error, e.what());
  } catch (const json::out_of_range& e) {
    return make_error(error_code::key_error, e.what());
  } catch (const std::exception& e) {
    return make_error(code_of(e), message_of(e));
  }
}

caf::result<caf::message> run_call(caf::stateful_actor<object_actor_state>* self,
                                   const std::string& method, json& args, const caller& who) {
  call_context ctx{self, who, *self->state.table};
  auto res = guarded([&] { return self->state.object->call(ctx, method, args); });
  // References in the result now belong to the caller's session; only
  // then may the object give back those of values that left it.
  if (!res.deferred() && !res.failed())
    self->state.table->grant_markers(who.session, res.value());
  for (auto& v : ctx.dropped())
    self->state.table->drop(v);
  if (res.deferred())
    return caf::delegated<caf::message>{};
  if (res.failed())
    return std::move(res.error());
  // Not caf::result<json>: it would brace-initialize, and json{x} is [x].
  return caf::make_message(std::move(res.value()));
}

caf::behavior object_actor(caf::stateful_actor<object_actor_state>* self,
                           std::shared_ptr<managed_object> object,
                           object_table* table) {
  self->state.object = std::move(object);
  self->state.table = table;
  return {
    [self](call_atom, const std::string& method, json& args,
           const caller& who) -> caf::result<caf::message> {
      return run_call(self, method, args, who);
    },
    // An actor of the server's node calling directly (object_messages.hpp).
    [self](call_atom, const std::string& method, json& args) -> caf::result<caf::message> {
      return run_call(self, method, args, caller_of(self->current_sender()));
    },
    [self](expire_atom, std::uint64_t ticket) {
      caller nobody;
      call_context ctx{self, nobody, *self->state.table};
      guarded([&]() -> outcome {
        self->state.object->expire(ctx, ticket);
        return json{};
      });
    },
    [self](cancel_atom, std::uint64_t connection) {
      self->state.object->cancel(connection);
    },
    [self](undelivered_atom, std::uint64_t connection, const std::string& method,
           json& result) {
      caller nobody;
      call_context ctx{self, nobody, *self->state.table};
      guarded([&]() -> outcome {
        self->state.object->undelivered(ctx, connection, method, result);
        return json{};
      });
    },
    [self](release_atom, std::uint64_t session) {
      caller nobody;
      call_context ctx{self, nobody, *self->state.table};
      guarded([&]() -> outcome {
        self->state.object->release(ctx, session);
        return json{};
      });
    },
  };
}

} // namespace

std::uint64_t call_context::expire_after(double seconds) {
  auto ticket = next_ticket++;
  auto span = std::chrono::duration_cast<std::chrono::nanoseconds>(
    std::chrono::duration<double>(seconds));
  self_->delayed_send(self_, span, expire_atom::value, ticket);
  return ticket;
}

void call_context::deliver(caf::response_promise& rp, const caller& who, json value) {
  objects_.grant_markers(who.session, value);
  rp.deliver(std::move(value));
}

caf::error no_such_method(const std::string& type, const std::string& method) {
  return make_error(error_code::attribute_error,
                    "'" + type + "' object has no exposed method '" + method + "'");
}

caf::actor spawn_object_actor(caf::actor_system& sys,
                              std::shared_ptr<managed_object> object,
                              object_table& table) {
  return sys.spawn<caf::lazy_init>(object_actor, std::move(object), &table);
}

} // namespace mpactor

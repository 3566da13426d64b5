#include <mpactor/actors/object_handle.hpp>

#include <caf/all.hpp>

#include <mpactor/actors/async_link.hpp>
#include <mpactor/actors/client.hpp>
#include <mpactor/shm/error.hpp>

namespace mpactor {

namespace {

struct handle_state {
  std::shared_ptr<async_link> link;
  BaseProxy proxy; // keeps the object alive while the handle lives
  static inline const char* name = "mpactor.handle";
};

caf::behavior object_handle(caf::stateful_actor<handle_state>* self,
                            std::shared_ptr<async_link> link, BaseProxy proxy) {
  self->state.link = std::move(link);
  self->state.proxy = std::move(proxy);
  return {
    [self](call_atom, const std::string& method, json& args) -> caf::result<caf::message> {
      if (args.is_null())
        args = json::object();
      if (!args.is_object())
        return make_error(error_code::type_error,
                          "the arguments of '" + method + "' must be a json object, not "
                            + json_type_name(args));
      auto& sender = self->current_sender();
      // Locks are owned by the calling actor (object_messages.hpp).
      args["thread"] = caller_of(sender).thread;
      self->state.link->call(sender, self->current_message_id(),
                             self->state.proxy.token().id, method, std::move(args));
      return caf::delegated<caf::message>{}; // the link answers the request
    },
    [self](token_atom) -> caf::result<caf::message> {
      return caf::make_message(self->state.proxy.token().to_marker());
    },
  };
}

} // namespace

caf::actor spawn_object_handle(caf::actor_system& sys, const BaseProxy& proxy) {
  auto link = async_link::of(proxy.owner());
  return sys.spawn(object_handle, std::move(link), proxy);
}

caf::actor BaseProxy::actor(caf::actor_system& sys) const {
  return spawn_object_handle(sys, *this);
}

std::shared_ptr<object_ref> ref_of_handle(caf::actor_system& sys, const caf::actor& handle,
                                          std::chrono::milliseconds timeout) {
  if (!handle)
    throw ValueError("an invalid actor handle has no object");
  caf::scoped_actor self{sys};
  json marker;
  caf::error failure;
  self->request(handle, timeout, token_atom::value)
    .receive([&](json& m) { marker = std::move(m); },
             [&](caf::error& e) { failure = std::move(e); });
  if (failure) {
    if (failure == caf::sec::request_timeout)
      throw TimeoutError("the actor did not tell its object within "
                         + std::to_string(timeout.count()) + " ms");
    throw TypeError("the actor is not the handle of a managed object ("
                    + sys.render(failure) + ")");
  }
  auto token = Token::from_marker(marker);
  if (!token || token->is_local())
    throw TypeError("the actor answered no object token: " + python_repr(marker));
  auto cl = client::find(token->address);
  if (!cl)
    throw ValueError("no manager of " + token->address.to_string()
                     + " is known to this process: connect one with its authkey first");
  auto reply = cl->call(0, "incref", {{"ids", json::array({token->id})}});
  if (!reply.value("missing", json::array()).empty())
    throw RemoteError("no managed object with id " + std::to_string(token->id) + " at "
                      + token->address.to_string() + " (it was freed)");
  return cl->adopt(*token, 1);
}

} // namespace mpactor

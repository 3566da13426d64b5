#include <mpactor/actors/proxies/object_handle.hpp>

#include <atomic>
#include <memory>
#include <thread>

#include <caf/actor_companion.hpp>
#include <caf/all.hpp>

#include <mpactor/actors/client/async_link.hpp>
#include <mpactor/actors/client/client.hpp>
#include <mpactor/shm/error.hpp>

namespace mpactor {

namespace {

// What a handle does with one message, in the sender's thread.
void forward(caf::actor_companion* self, async_link& link, const BaseProxy& proxy,
             std::atomic<bool>& stopping, caf::mailbox_element& in) {
  auto& sender = in.sender;
  auto mid = in.mid;
  auto msg = in.move_content_to_message();
  auto answer = [&](caf::message reply) {
    if (sender && mid.is_request())
      sender->enqueue(nullptr, mid.response_id(), std::move(reply), nullptr);
  };
  if (msg.match_elements<call_atom, std::string, json>()) {
    auto method = msg.get_as<std::string>(1);
    auto args = msg.get_as<json>(2);
    if (args.is_null())
      args = json::object();
    if (!args.is_object())
      return answer(caf::make_message(
        make_error(error_code::type_error, "the arguments of '" + method
                                             + "' must be a json object, not "
                                             + json_type_name(args))));
    // Locks are owned by the calling actor (object_messages.hpp).
    args["thread"] = caller_of(sender).thread;
    link.call(sender, mid, proxy.token().id, method, std::move(args));
  } else if (msg.match_elements<token_atom>()) {
    answer(caf::make_message(proxy.token().to_marker()));
  } else if (msg.match_elements<caf::exit_msg>()) {
    if (stopping.exchange(true))
      return;
    // Stops like any actor. Not from here: this thread is inside the
    // companion's enqueue, for which dropping the handler would wait.
    auto reason = msg.get_as<caf::exit_msg>(0).reason;
    std::thread([strong = caf::actor_cast<caf::strong_actor_ptr>(self), reason]() mutable {
      auto* companion = static_cast<caf::actor_companion*>(
        caf::actor_cast<caf::abstract_actor*>(strong));
      companion->on_enqueue(nullptr);
      companion->cleanup(std::move(reason), nullptr);
    }).detach();
  } else if (!msg.match_elements<caf::down_msg>()) {
    answer(caf::make_message(caf::make_error(caf::sec::unexpected_message)));
  }
}

} // namespace

// The handle is an actor_companion: its enqueue runs forward() right in the
// sender's thread, so a call costs no hop through a scheduler thread before
// it is written. Otherwise it is an ordinary actor: it lives while anything
// refers to it, stops on an exit message, and its system waits for it.
caf::actor spawn_object_handle(caf::actor_system& sys, const BaseProxy& proxy) {
  auto link = async_link::of(proxy.owner());
  auto hdl = sys.spawn<caf::actor_companion>();
  auto* self = static_cast<caf::actor_companion*>(caf::actor_cast<caf::abstract_actor*>(hdl));
  auto stopping = std::make_shared<std::atomic<bool>>(false);
  self->on_enqueue([self, link, proxy, stopping](caf::mailbox_element_ptr ptr) {
    if (!ptr)
      return;
    try {
      forward(self, *link, proxy, *stopping, *ptr);
    } catch (const std::exception& e) {
      // Never into the sender's thread (it would kill the sending actor).
      if (ptr->sender && ptr->mid.is_request())
        ptr->sender->enqueue(nullptr, ptr->mid.response_id(),
                             caf::make_message(make_error(error_code::remote_error, e.what())),
                             nullptr);
    }
  });
  return hdl;
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
  return cl->adopt_counted(*token);
}

} // namespace mpactor

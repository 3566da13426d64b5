#include <mpactor/actors/server/object_call.hpp>

#include <caf/actor_companion.hpp>
#include <caf/all.hpp>

#include <mpactor/actors/server/io_unit.hpp>

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(mpactor::caller)

namespace mpactor {

caf::actor make_reply_actor(caf::actor_system& sys, const std::shared_ptr<stream_connection>& conn,
                            respond_fn respond) {
  auto hdl = sys.spawn<caf::actor_companion, caf::hidden>();
  auto* self = static_cast<caf::actor_companion*>(caf::actor_cast<caf::abstract_actor*>(hdl));
  std::weak_ptr<stream_connection> weak = conn;
  auto ledger = conn->ledger();
  auto id = conn->id();
  self->on_enqueue([weak, ledger, id, respond = std::move(respond)](caf::mailbox_element_ptr ptr) {
    if (!ptr->mid.is_response())
      return;
    auto request = ptr->mid.request_id().integer_value();
    ledger->pending.fetch_sub(1, std::memory_order_relaxed);
    std::string method;
    {
      std::lock_guard<std::mutex> guard{ledger->mtx};
      auto it = ledger->waiting.find(request);
      if (it != ledger->waiting.end()) {
        method = std::move(it->second);
        ledger->waiting.erase(it);
      }
    }
    auto& content = ptr->content();
    auto c = weak.lock();
    if (!c || c->closing()) {
      if (!method.empty() && ptr->sender && content.match_elements<json>())
        caf::anon_send(caf::actor_cast<caf::actor>(ptr->sender), undelivered_atom::value, id,
                       method, std::move(content.get_mutable_as<json>(0)));
      return;
    }
    respond(*c, request, content);
  });
  return hdl;
}

void end_calls(stream_connection& c, std::uint64_t session, object_table& table,
               session_table& sessions) {
  for (auto id : c.waited_objects())
    if (auto a = table.find(id))
      caf::anon_send(a, cancel_atom::value, c.id());
  std::set<std::uint64_t> objects;
  if (session == 0 || !sessions.close(session, objects))
    return;
  for (auto id : objects)
    if (auto a = table.find(id))
      caf::anon_send(a, release_atom::value, session);
  table.end_session(session);
}

bool enqueue_call(stream_connection& c, const caf::actor& actor, std::uint64_t object,
                  bool may_wait, bool wants_reply, std::uint64_t request, std::string method,
                  json body, const caller& who) {
  auto& ledger = *c.ledger();
  bool new_wait = false;
  if (may_wait) {
    new_wait = c.note_waiting(object);
    if (wants_reply) {
      std::lock_guard<std::mutex> guard{ledger.mtx};
      ledger.waiting.emplace(request, method);
    }
  }
  caf::strong_actor_ptr from;
  auto mid = caf::make_message_id();
  if (wants_reply) {
    ledger.pending.fetch_add(1, std::memory_order_relaxed);
    from = caf::actor_cast<caf::strong_actor_ptr>(c.reply_actor());
    mid = caf::make_message_id(request);
  }
  auto* dest = caf::actor_cast<caf::abstract_actor*>(actor);
  dest->enqueue(caf::make_mailbox_element(std::move(from), mid, {}, call_atom::value,
                                          std::move(method), std::move(body), who),
                io_unit::current());
  return new_wait;
}

} // namespace mpactor

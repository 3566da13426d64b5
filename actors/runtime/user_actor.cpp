#include <mpactor/actors/runtime/user_actor.hpp>

#include <atomic>
#include <mutex>

#include <caf/all.hpp>

#include <mpactor/actors/objects/managed_object.hpp>
#include <mpactor/actors/runtime/object_actor.hpp>

namespace mpactor {

namespace {

// Why a user actor stopped. Written before it stops where that is known (a
// failed spawner), else when it has stopped: a call bounced by its closed
// mailbox may be answered before then, so readers take what is there.
struct stop_note {
  std::mutex mtx;
  std::string why; // guarded by mtx

  void set_once(std::string text) {
    std::lock_guard<std::mutex> guard{mtx};
    if (why.empty())
      why = std::move(text);
  }

  std::string get() {
    std::lock_guard<std::mutex> guard{mtx};
    return why;
  }
};

// The managed object in front of a user actor.
class user_actor_front : public managed_object {
public:
  user_actor_front(caf::actor user, std::shared_ptr<stop_note> stopped)
    : user_(std::move(user)), stopped_(std::move(stopped)) {
    // nop
  }

  ~user_actor_front() override {
    caf::anon_send_exit(user_, caf::exit_reason::user_shutdown);
  }

  outcome call(call_context& ctx, const std::string& method, json& args) override {
    auto rp = ctx.defer();
    auto who = ctx.who();
    auto* table = &ctx.objects();
    ctx.self()
      ->request(user_, caf::infinite, call_atom::value, method, std::move(args))
      .then(
        [rp, who, table](json& value) mutable {
          table->grant_markers(who.session, value);
          rp.deliver(std::move(value));
        },
        [rp, stopped = stopped_](caf::error& err) mutable {
          if (err == caf::sec::request_receiver_down) {
            auto why = stopped->get();
            rp.deliver(make_error(error_code::remote_error,
                                  "the actor has stopped" + (why.empty() ? "" : ": " + why)));
          } else if (err == caf::sec::unexpected_response) {
            rp.deliver(make_error(error_code::type_error,
                                  "a user actor must answer a call with one json value, not "
                                    + caf::to_string(err.context())));
          } else {
            rp.deliver(std::move(err));
          }
        });
    return rp;
  }

private:
  caf::actor user_;
  std::shared_ptr<stop_note> stopped_;
};

} // namespace

// What the end of a user actor settles. The actor may stop before the
// spawning thread has filed it (a spawner that throws): whichever of the two
// comes second gives the server's reference back, exactly once.
struct user_actor_end {
  std::atomic<std::uint64_t> id{0};
  std::atomic<bool> stopped{false};
  std::atomic<bool> released{false};

  void release(object_table& table) {
    auto x = id.load();
    if (x != 0 && !released.exchange(true))
      table.release(0, x, 1);
  }
};

user_actor spawn_user_actor(caf::actor_system& sys, object_table& table,
                            const std::string& type_id, const actor_spawner& spawner,
                            const json& args, std::optional<std::uint64_t> creator) {
  auto ctx = std::make_shared<actor_context>(table);
  ctx->hold(args);
  auto stopped = std::make_shared<stop_note>();
  auto end = std::make_shared<user_actor_end>();
  auto done = std::make_shared<std::promise<void>>();
  std::shared_future<void> finished = done->get_future().share();
  auto user = sys.spawn([=, &table, &sys](caf::event_based_actor* self) mutable
                        -> caf::behavior {
    // Attached first, so it runs last when the actor stops, after whatever
    // the user's code attached (attachables run newest first): `finished`
    // then means that all of it ran.
    auto session = caller_of(caf::actor_cast<caf::strong_actor_ptr>(self)).session;
    self->attach_functor([=, &table, &sys](const caf::error& reason) mutable {
      stopped->set_once(!reason ? std::string{"it quit"}
                        : reason.category() == error_category ? message_of(reason)
                                                              : sys.render(reason));
      table.end_session(session); // references that replies gave the actor
      ctx.reset();                // and what the context holds
      end->stopped = true;
      end->release(table);
      done->set_value();
    });
    try {
      return spawner(self, *ctx, args);
    } catch (const std::exception& e) {
      // Its callers learn why (an uncaught exception would only be logged).
      stopped->set_once(std::string{"its spawner failed: "} + e.what());
      self->quit(make_error(error_code::remote_error, stopped->get()));
      return {};
    }
  });
  auto front = spawn_object_actor(sys, std::make_shared<user_actor_front>(user, stopped), table);
  auto id = table.add(type_id, std::move(front));
  table.grant(0, id);
  if (creator)
    table.grant(*creator, id);
  end->id = id;
  if (end->stopped)
    end->release(table);
  return {id, std::move(user), std::move(finished)};
}

} // namespace mpactor

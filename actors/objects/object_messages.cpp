#include <mpactor/actors/objects/object_messages.hpp>

#include <functional>

#include <caf/all.hpp>

namespace mpactor {

caller caller_of(const caf::strong_actor_ptr& sender) {
  caller who;
  if (sender) {
    // Top bit set: apart from the small numbers of this_thread_number().
    auto node = std::hash<caf::node_id>{}(sender->node());
    who.session = (std::uint64_t{1} << 63) | (node * 1000003u ^ sender->id());
    who.thread = who.session;
  }
  return who;
}

error_code error_of(const caf::error& err) {
  if (err.category() == error_category)
    return static_cast<error_code>(err.code());
  return error_code::remote_error;
}

std::string message_of(const caf::error& err) {
  if (err.category() == error_category && err.context().match_elements<std::string>())
    return err.context().get_as<std::string>(0);
  return caf::to_string(err);
}

void raise_error(const caf::error& err) {
  raise_error(error_of(err), message_of(err));
}

void add_message_types(caf::actor_system_config& cfg) {
  cfg.add_message_type<json>("mpactor::json");
  cfg.add_message_type<caller>("mpactor::caller");
}

} // namespace mpactor

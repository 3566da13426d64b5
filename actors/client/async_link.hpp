#pragma once

// async_link: one more authenticated connection of a client, for actors.
//
// Actor handles of managed objects (object_handle.hpp) forward their calls
// here: a call is written at once and its reply is delivered later, as the
// CAF response to the request it came from, by the link's reader thread. So
// any number of calls are in flight, a blocking one (Queue.get) holds up
// nothing, and no actor ever waits on a socket. Replies are matched by
// request number, so they may come in any order.
//
// Never a hang on a dead peer: a closed socket fails every pending call with
// error_code::connection_error at once; a server that stays silent while
// calls are pending (silence_watch.hpp) is taken for dead the same way. A broken link stays broken;
// of() makes a new one for later handles.
//
// A forked child closes its copies of the links at once: handles belong to
// the process (and actor system) that made them.
//
// Objects that replies name (reference markers) are kept alive while the
// link lives, since the actor that receives one may wrap it later.

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>

#include <caf/actor_control_block.hpp>
#include <caf/error.hpp>
#include <caf/message_id.hpp>

#include <mpactor/actors/wire/frame_socket.hpp>
#include <mpactor/actors/core/json.hpp>

namespace mpactor {

class client;
class object_ref;

class async_link {
public:
  /// The link of `cl` (one per client while it works); opens it if need be.
  /// ConnectionError if the server cannot be reached.
  static std::shared_ptr<async_link> of(const std::shared_ptr<client>& cl);

  explicit async_link(std::shared_ptr<client> cl);
  ~async_link();

  async_link(const async_link&) = delete;
  async_link& operator=(const async_link&) = delete;

  /// Calls `method` of `object`; the reply (json) or error (caf::error)
  /// goes to `to` as the response to request `mid`. A `mid` that is not a
  /// request sends the call without a reply.
  void call(caf::strong_actor_ptr to, caf::message_id mid, std::uint64_t object,
            const std::string& method, json args);

  /// Whether the link failed (new handles use a new one).
  bool broken() const;

  const std::shared_ptr<client>& owner() const noexcept { return client_; }

  /// Closes the socket without a word (in a forked child).
  void abandon() noexcept;

private:
  struct pending {
    caf::strong_actor_ptr to;
    caf::message_id mid;
  };

  static void read_loop(std::weak_ptr<async_link> weak, async_link* raw);
  void deliver(std::uint64_t request, caf::message msg);
  void fail_all(const std::string& why);
  json adopt(json value);

  std::shared_ptr<client> client_;
  std::unique_ptr<frame_socket> sock_;
  mutable std::mutex mtx_;
  std::unordered_map<std::uint64_t, pending> pending_; // guarded by mtx_
  std::uint64_t next_request_ = 1;                     // guarded by mtx_
  std::string broken_;                                 // guarded by mtx_: why
  std::unordered_map<std::uint64_t, std::shared_ptr<object_ref>> kept_; // reader only
  std::thread reader_;
};

} // namespace mpactor

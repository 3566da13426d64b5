#pragma once

// object_table: the server's objects and their reference counts (the
// manager's bookkeeping, Python's id_to_obj and id_to_refcount).
//
// An object lives while references to it exist: references of client
// sessions (one per proxy reply that carried the object, one per incref,
// returned by decref or when the session ends) and references held inside
// other managed objects (a proxy stored in a dict or Namespace). When the
// count reaches zero the object's actor is stopped and its state freed;
// values it held are dropped in turn. Thread-safe: connection threads and
// actors call it concurrently.

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include <caf/actor.hpp>

#include <mpactor/actors/core/json.hpp>

namespace mpactor {

class managed_object;

class object_table {
public:
  /// Adds an object with no references yet; returns its id. `state` (the
  /// object's, read only for its may_wait()) may be null: no call waits.
  std::uint64_t add(std::string type_id, caf::actor actor,
                    std::shared_ptr<const managed_object> state = nullptr);

  /// The actor of `id`, or an invalid handle if there is none.
  caf::actor find(std::uint64_t id) const;

  /// What a call needs of object `id`: its actor (invalid if there is no
  /// such object) and whether `method` may wait on it.
  struct target {
    caf::actor actor;
    bool may_wait = false;
  };
  target find_call(std::uint64_t id, const std::string& method) const;

  /// All a Python call needs of `id` in one lookup (it maps its method by
  /// the type, then asks the state whether the mapped method may wait).
  struct view {
    caf::actor actor; ///< invalid if there is no such object
    std::string type_id;
    std::shared_ptr<const managed_object> state;
    /// Whether `method` may wait on this object (as find_call says).
    bool may_wait(const std::string& method) const;
  };
  view view_of(std::uint64_t id) const;

  /// The state of `id` (null if there is none, or it has none).
  std::shared_ptr<const managed_object> state_of(std::uint64_t id) const;

  /// The type id of `id` (empty if there is none).
  std::string type_of(std::uint64_t id) const;

  /// Counts `n` more references of `session` to `id`; false if no such object.
  bool grant(std::uint64_t session, std::uint64_t id, long n = 1);

  /// Counts every reference marker in `value` as a reference of `session`.
  void grant_markers(std::uint64_t session, const json& value);

  /// Gives back `n` references of `session` to `id`.
  void release(std::uint64_t session, std::uint64_t id, long n);

  /// Gives back every reference of `session`.
  void end_session(std::uint64_t session);

  /// Counts the markers in `value` as held by a managed object.
  void hold(const json& value);

  /// Gives back the markers in `value` held by a managed object.
  void drop(const json& value);

  /// Makes objects for table.create(): set by the server.
  using creator = std::function<std::uint64_t(const std::string& type_id, const json& args)>;
  void set_creator(creator fn) { creator_ = std::move(fn); }

  /// Creates an object of `type_id` from `args` (no references yet).
  std::uint64_t create(const std::string& type_id, const json& args) {
    return creator_(type_id, args);
  }

  /// Number of live objects, and of live objects per type id.
  std::size_t size() const;
  std::unordered_map<std::string, std::size_t> count_by_type() const;

  /// Stops every object (server shutdown).
  void clear();

  /// Whether `value` holds a reference marker somewhere.
  static bool has_markers(const json& value);

private:
  struct entry {
    caf::actor actor;
    std::string type_id;
    long refs = 0;
    std::shared_ptr<const managed_object> state;
  };

  void unref_locked(std::uint64_t id, long n, std::vector<caf::actor>& dead);
  static void stop(std::vector<caf::actor>& dead);

  // Shared for the lookups every call makes (many I/O threads), exclusive
  // for the changes.
  mutable std::shared_mutex mtx_;
  std::unordered_map<std::uint64_t, entry> objects_; // guarded by mtx_
  std::unordered_map<std::uint64_t, std::unordered_map<std::uint64_t, long>>
    sessions_; // guarded by mtx_
  std::uint64_t next_id_ = 1; // guarded by mtx_
  creator creator_;
};

} // namespace mpactor

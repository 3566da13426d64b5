#pragma once

// SyncManager: a BaseManager whose server knows Python's SyncManager types
// (Namespace, list, dict, Queue, JoinableQueue, Lock, RLock, Semaphore,
// BoundedSemaphore, Condition, Event, Barrier, Value, Array), each created by
// the factory method of its name and used through its proxy.
//
// Manager() returns a started SyncManager: a server process listening on an
// abstract Unix socket (Linux; no file, this machine only) with a fresh
// random authkey, shut down when the SyncManager is destroyed or
// this process dies.

#include <cstddef>
#include <optional>

#include <mpactor/actors/proxies/acquirer_proxy.hpp>
#include <mpactor/actors/proxies/array_proxy.hpp>
#include <mpactor/actors/proxies/barrier_proxy.hpp>
#include <mpactor/actors/manager/base_manager.hpp>
#include <mpactor/actors/proxies/condition_proxy.hpp>
#include <mpactor/actors/proxies/dict_proxy.hpp>
#include <mpactor/actors/proxies/event_proxy.hpp>
#include <mpactor/actors/proxies/joinable_queue_proxy.hpp>
#include <mpactor/actors/proxies/list_proxy.hpp>
#include <mpactor/actors/proxies/namespace_proxy.hpp>
#include <mpactor/actors/proxies/queue_proxy.hpp>
#include <mpactor/actors/proxies/value_proxy.hpp>

namespace mpactor {

class SyncManager : public BaseManager {
public:
  explicit SyncManager(Address address = {}, std::string authkey = {});

  NamespaceProxy Namespace() const;
  ListProxy list(json init = json::array()) const;
  DictProxy dict(json init = json::object()) const;
  /// maxsize <= 0: unbounded.
  QueueProxy Queue(long maxsize = 0) const;
  JoinableQueueProxy JoinableQueue(long maxsize = 0) const;
  AcquirerProxy Lock() const;
  AcquirerProxy RLock() const;
  AcquirerProxy Semaphore(long value = 1) const;
  AcquirerProxy BoundedSemaphore(long value = 1) const;
  ConditionProxy Condition() const;
  EventProxy Event() const;
  /// timeout: the default timeout of wait(), none for no limit.
  BarrierProxy Barrier(long parties, Timeout timeout = none) const;
  ValueProxy Value(json init = json{}) const;
  ArrayProxy Array(json init = json::array()) const;
  /// Python's Value(typecode, init): 'i' int, 'd' double, ... (c b B u h H
  /// i I l L q Q f d). Stored values are checked and converted as ctypes
  /// does (an int code wraps to its width and refuses a float: TypeError);
  /// ValueError for an unknown typecode.
  ValueProxy Value(char typecode, json init) const;
  /// Python's Array(typecode, size or sequence): elements typed as Value's.
  ArrayProxy Array(char typecode, json init) const;
};

/// A started SyncManager (Python's multiprocessing.Manager()).
SyncManager Manager();

} // namespace mpactor

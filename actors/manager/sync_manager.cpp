#include <mpactor/actors/manager/sync_manager.hpp>

#include <unistd.h>

#include <mpactor/actors/wire/handshake.hpp>
#include <mpactor/actors/objects/array_object.hpp>
#include <mpactor/actors/objects/barrier_object.hpp>
#include <mpactor/actors/objects/condition_object.hpp>
#include <mpactor/actors/objects/dict_object.hpp>
#include <mpactor/actors/objects/event_object.hpp>
#include <mpactor/actors/objects/list_object.hpp>
#include <mpactor/actors/objects/lock_object.hpp>
#include <mpactor/actors/objects/namespace_object.hpp>
#include <mpactor/actors/objects/queue_object.hpp>
#include <mpactor/actors/objects/semaphore_object.hpp>
#include <mpactor/actors/objects/value_object.hpp>

namespace mpactor {

SyncManager::SyncManager(Address address, std::string authkey)
  : BaseManager(std::move(address), std::move(authkey)) {
  using ptr = std::shared_ptr<managed_object>;
  register_factory("Namespace", [](const json& a, object_table& t) -> ptr {
    return std::make_shared<namespace_object>(a.value("init", json{}), t);
  });
  register_factory("list", [](const json& a, object_table& t) -> ptr {
    return std::make_shared<list_object>(a.value("init", json{}), t);
  });
  register_factory("dict", [](const json& a, object_table& t) -> ptr {
    return std::make_shared<dict_object>(a.value("init", json{}), t);
  });
  register_factory("Queue", [](const json& a, object_table& t) -> ptr {
    return std::make_shared<queue_object>(a, t, false);
  });
  register_factory("JoinableQueue", [](const json& a, object_table& t) -> ptr {
    return std::make_shared<queue_object>(a, t, true);
  });
  register_factory("Lock", [](const json&, object_table&) -> ptr {
    return std::make_shared<lock_object>(false);
  });
  register_factory("RLock", [](const json&, object_table&) -> ptr {
    return std::make_shared<lock_object>(true);
  });
  register_factory("Semaphore", [](const json& a, object_table&) -> ptr {
    return std::make_shared<semaphore_object>(a, false);
  });
  register_factory("BoundedSemaphore", [](const json& a, object_table&) -> ptr {
    return std::make_shared<semaphore_object>(a, true);
  });
  register_factory("Condition", [](const json&, object_table&) -> ptr {
    return std::make_shared<condition_object>();
  });
  register_factory("Event", [](const json&, object_table&) -> ptr {
    return std::make_shared<event_object>();
  });
  register_factory("Barrier", [](const json& a, object_table&) -> ptr {
    return std::make_shared<barrier_object>(a);
  });
  register_factory("Value", [](const json& a, object_table& t) -> ptr {
    return std::make_shared<value_object>(a, t);
  });
  register_factory("Array", [](const json& a, object_table&) -> ptr {
    return std::make_shared<array_object>(a);
  });
}

NamespaceProxy SyncManager::Namespace() const {
  return create<NamespaceProxy>("Namespace");
}

ListProxy SyncManager::list(json init) const {
  return create<ListProxy>("list", {{"init", std::move(init)}});
}

DictProxy SyncManager::dict(json init) const {
  return create<DictProxy>("dict", {{"init", std::move(init)}});
}

QueueProxy SyncManager::Queue(long maxsize) const {
  return create<QueueProxy>("Queue", {{"maxsize", maxsize}});
}

JoinableQueueProxy SyncManager::JoinableQueue(long maxsize) const {
  return create<JoinableQueueProxy>("JoinableQueue", {{"maxsize", maxsize}});
}

AcquirerProxy SyncManager::Lock() const {
  return create<AcquirerProxy>("Lock");
}

AcquirerProxy SyncManager::RLock() const {
  return create<AcquirerProxy>("RLock");
}

AcquirerProxy SyncManager::Semaphore(long value) const {
  return create<AcquirerProxy>("Semaphore", {{"value", value}});
}

AcquirerProxy SyncManager::BoundedSemaphore(long value) const {
  return create<AcquirerProxy>("BoundedSemaphore", {{"value", value}});
}

ConditionProxy SyncManager::Condition() const {
  return create<ConditionProxy>("Condition");
}

EventProxy SyncManager::Event() const {
  return create<EventProxy>("Event");
}

BarrierProxy SyncManager::Barrier(long parties, Timeout timeout) const {
  return create<BarrierProxy>("Barrier",
                              {{"parties", parties}, {"timeout", timeout_json(timeout)}});
}

ValueProxy SyncManager::Value(json init) const {
  return create<ValueProxy>("Value", {{"init", std::move(init)}});
}

ArrayProxy SyncManager::Array(json init) const {
  return create<ArrayProxy>("Array", {{"init", std::move(init)}});
}

ValueProxy SyncManager::Value(char typecode, json init) const {
  return create<ValueProxy>("Value",
                            {{"typecode", std::string(1, typecode)}, {"init", std::move(init)}});
}

ArrayProxy SyncManager::Array(char typecode, json init) const {
  return create<ArrayProxy>("Array",
                            {{"typecode", std::string(1, typecode)}, {"init", std::move(init)}});
}

SyncManager Manager() {
  // A local manager listens on an abstract Unix socket, as Python's does on
  // Linux: faster than loopback TCP, and it leaves no file behind.
  auto name = random_bytes(8);
  std::string hex;
  for (unsigned char c : name) {
    static const char* digits = "0123456789abcdef";
    hex += digits[c >> 4];
    hex += digits[c & 15];
  }
  SyncManager m{Address::unix_socket("@mpactor-" + std::to_string(getpid()) + "-" + hex)};
  m.start();
  return m;
}

} // namespace mpactor

#pragma once

// mpactor: Python multiprocessing's shared state for C++.
//
// Shared memory (shm/): Process, Lock, RLock, Value, RawValue, Array,
// RawArray, typecodes. A server process of CAF actors (actors/): Manager,
// SyncManager, BaseManager and the proxies of its managed objects.

#include <mpactor/shm/array.hpp>
#include <mpactor/shm/error.hpp>
#include <mpactor/shm/len.hpp>
#include <mpactor/shm/lock.hpp>
#include <mpactor/shm/process.hpp>
#include <mpactor/shm/raw_array.hpp>
#include <mpactor/shm/raw_value.hpp>
#include <mpactor/shm/rlock.hpp>
#include <mpactor/shm/timeout.hpp>
#include <mpactor/shm/typecodes.hpp>
#include <mpactor/shm/value.hpp>

#include <mpactor/actors/runtime/actor_context.hpp>
#include <mpactor/actors/proxies/auto_proxy.hpp>
#include <mpactor/actors/manager/base_manager.hpp>
#include <mpactor/actors/proxies/batch.hpp>
#include <mpactor/actors/core/json.hpp>
#include <mpactor/actors/proxies/object_handle.hpp>
#include <mpactor/actors/objects/object_messages.hpp>
#include <mpactor/actors/manager/sync_manager.hpp>

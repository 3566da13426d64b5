#include <mpactor/shm/lock.hpp>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <string>

#include <sys/syscall.h>
#include <unistd.h>

#include <mpactor/shm/error.hpp>
#include <mpactor/shm/shared_heap.hpp>

namespace mpactor {

namespace {

void forget_tid_after_fork() {
  lock_data::caller_tid = 0; // the child's only thread has a new id
}

std::shared_ptr<lock_data> make_lock(bool recursive) {
  auto block = shared_heap::allocate(sizeof(lock_data), alignof(lock_data));
  auto* data = static_cast<lock_data*>(block.get());
  data->init(recursive);
  return std::shared_ptr<lock_data>(block, data);
}

timespec monotonic_deadline(std::chrono::nanoseconds timeout) {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  if (timeout < std::chrono::nanoseconds::zero())
    timeout = std::chrono::nanoseconds::zero();
  auto ns = static_cast<long long>(now.tv_nsec) + timeout.count() % 1000000000;
  timespec at{};
  at.tv_sec = now.tv_sec + static_cast<time_t>(timeout.count() / 1000000000)
              + static_cast<time_t>(ns / 1000000000);
  at.tv_nsec = static_cast<long>(ns % 1000000000);
  return at;
}

} // namespace

void lock_data::init(bool is_recursive) {
  pthread_mutexattr_t attr;
  pthread_mutexattr_init(&attr);
  pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
  pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
  pthread_mutex_init(&mutex, &attr);
  pthread_mutexattr_destroy(&attr);
  depth = 0;
  recursive = is_recursive ? 1 : 0;
  recovered = 0;
}

pid_t lock_data::find_caller() noexcept {
  static const bool registered = [] {
    pthread_atfork(nullptr, nullptr, forget_tid_after_fork);
    return true;
  }();
  (void) registered;
  caller_tid = static_cast<pid_t>(syscall(SYS_gettid));
  return caller_tid;
}

Lock::Lock() : data_(make_lock(false)) {
  // nop
}

Lock::Lock(recursive_tag) : data_(make_lock(true)) {
  // nop
}

Lock::Lock(std::shared_ptr<lock_data> data) : data_(std::move(data)) {
  if (!data_)
    throw ValueError("Lock: no lock data");
}

bool Lock::acquire(bool block, Timeout timeout) const {
  auto& d = *data_;
  if (d.held_by_caller()) {
    if (d.recursive) {
      ++d.depth;
      return true;
    }
    if (block && !timeout)
      throw ValueError("Lock::acquire: the calling thread already holds this "
                       "non-recursive Lock; waiting would deadlock (use RLock)");
  }
  int rc;
  if (!block) {
    rc = pthread_mutex_trylock(&d.mutex);
  } else if (timeout) {
    auto at = monotonic_deadline(*timeout);
    rc = pthread_mutex_clocklock(&d.mutex, CLOCK_MONOTONIC, &at);
  } else {
    rc = pthread_mutex_lock(&d.mutex);
  }
  bool recovered = false;
  switch (rc) {
    case 0:
      break;
    case EOWNERDEAD:
      pthread_mutex_consistent(&d.mutex);
      recovered = true;
      break;
    case EBUSY:
    case ETIMEDOUT:
    case EDEADLK:
      return false;
    default:
      throw ValueError(std::string{"Lock::acquire: "} + std::strerror(rc));
  }
  d.depth = 1;
  d.recovered = recovered ? 1 : 0;
  return true;
}

void Lock::release() const {
  auto& d = *data_;
  if (!d.held_by_caller())
    throw ValueError(d.recursive ? "RLock::release: cannot release un-acquired lock"
                                 : "Lock::release: cannot release un-acquired lock");
  if (--d.depth > 0)
    return;
  pthread_mutex_unlock(&d.mutex);
}

bool Lock::is_owned() const {
  return data_->held_by_caller();
}

bool Lock::owner_died() const {
  return is_owned() && data_->recovered != 0;
}

} // namespace mpactor

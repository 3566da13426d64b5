#pragma once

// The exceptions of mpactor's blocking, Python-shaped API.
//
// Every error a call can raise derives from mpactor::Error, and the leaves
// carry Python's names so that ported code reads the same: a missing key is a
// KeyError, an empty queue under a timeout is Empty, and so on. Errors that
// cross actors travel as caf::error values and become these on the proxy side.

#include <stdexcept>
#include <string>

namespace mpactor {

/// Base of every exception mpactor throws.
class Error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

#define MPACTOR_ERROR_TYPE(name, base)                                         \
  class name : public base {                                                   \
  public:                                                                      \
    using base::base;                                                          \
  };

/// A key is not in a mapping.
MPACTOR_ERROR_TYPE(KeyError, Error)
/// A name is not in a Namespace, or a method is not exposed by a managed
/// object (Python's AttributeError; a KeyError here, as a missing name is).
MPACTOR_ERROR_TYPE(AttributeError, KeyError)
/// An index is out of range.
MPACTOR_ERROR_TYPE(IndexError, Error)
/// An argument has the right type but a wrong value (also: releasing a
/// shared-memory lock that is not held, as Python's multiprocessing.Lock,
/// over-releasing a BoundedSemaphore).
MPACTOR_ERROR_TYPE(ValueError, Error)
/// An operation is wrong in the object's present state, where Python raises
/// RuntimeError: releasing a managed Lock or RLock the caller does not hold,
/// waiting on or notifying a managed Condition without holding its lock.
MPACTOR_ERROR_TYPE(RuntimeError, Error)
/// An argument or a stored value has the wrong type.
MPACTOR_ERROR_TYPE(TypeError, Error)
/// A get found the queue empty (non-blocking, or after its timeout).
MPACTOR_ERROR_TYPE(Empty, Error)
/// A put found the queue full (non-blocking, or after its timeout).
MPACTOR_ERROR_TYPE(Full, Error)
/// A wait ran out of time where the API reports that as an error.
MPACTOR_ERROR_TYPE(TimeoutError, Error)
/// The peer's authkey does not match.
MPACTOR_ERROR_TYPE(AuthenticationError, Error)
/// The peer is gone, unreachable or does not answer in time.
MPACTOR_ERROR_TYPE(ConnectionError, Error)
/// The server raised while executing a call; what() carries its message.
MPACTOR_ERROR_TYPE(RemoteError, Error)
/// A Barrier was broken (aborted, reset, or a waiter timed out).
MPACTOR_ERROR_TYPE(BrokenBarrierError, Error)
/// A process could not be started or waited for.
MPACTOR_ERROR_TYPE(ProcessError, Error)

/// A system call failed: no space left for a named shared object, a file
/// that cannot be opened or mapped. code() is the errno value.
class OSError : public Error {
public:
  explicit OSError(const std::string& what, int code = 0)
    : Error(what), code_(code) {
    // nop
  }

  /// The errno value behind the error; 0 when there is none.
  int code() const noexcept { return code_; }

private:
  int code_;
};

/// A named shared object that must not exist already does.
MPACTOR_ERROR_TYPE(FileExistsError, OSError)
/// A named shared object that must exist does not.
MPACTOR_ERROR_TYPE(FileNotFoundError, OSError)
/// A named shared object is refused: another user owns it, group or other
/// may write it, or its name is a symbolic link.
MPACTOR_ERROR_TYPE(PermissionError, OSError)

#undef MPACTOR_ERROR_TYPE

} // namespace mpactor

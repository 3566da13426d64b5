#pragma once

// error_code: the errors that cross from a managed object to its callers.
//
// Between actors an error is a caf::error in category "mpactor" carrying one
// of these codes and a message; on the wire it is an error frame
// {"type": code, "message": text}; in the blocking API it is the exception of
// the same name (raise_error). Each code maps to exactly one exception type.

#include <cstdint>
#include <exception>
#include <string>

namespace mpactor {

enum class error_code : std::uint8_t {
  none = 0,
  key_error,            ///< KeyError: no such key
  index_error,          ///< IndexError: index out of range
  value_error,          ///< ValueError: bad value
  type_error,           ///< TypeError: wrong type of argument or stored value
  empty,                ///< Empty: queue empty (non-blocking or after timeout)
  full,                 ///< Full: queue full (non-blocking or after timeout)
  timeout_error,        ///< TimeoutError
  authentication_error, ///< AuthenticationError: authkey mismatch
  connection_error,     ///< ConnectionError: peer gone
  remote_error,         ///< RemoteError: anything else the server raised
  broken_barrier_error, ///< BrokenBarrierError
  attribute_error,      ///< AttributeError: no such name or method not exposed
  no_such_object,       ///< RemoteError: the object id is unknown (freed)
  runtime_error,        ///< RuntimeError: release of an unowned managed lock, Condition misuse
};

/// The message an exception from a caller's code carries to the caller:
/// what() for mpactor's exceptions (their type travels as the code), the
/// exception's type and what() for others ("std::runtime_error: boom").
std::string message_of(const std::exception& e);

/// Throws the exception that `code` stands for, with `message`.
[[noreturn]] void raise_error(error_code code, const std::string& message);

/// The code of an exception thrown by code run for a caller (a user class's
/// method): mpactor's exceptions keep their meaning, others are remote_error.
error_code code_of(const std::exception& e) noexcept;

} // namespace mpactor

#include <mpactor/actors/core/error_code.hpp>

#include <typeinfo>

#include <mpactor/actors/core/json.hpp>
#include <mpactor/shm/error.hpp>

namespace mpactor {

void raise_error(error_code code, const std::string& message) {
  switch (code) {
    case error_code::key_error: throw KeyError(message);
    case error_code::index_error: throw IndexError(message);
    case error_code::value_error: throw ValueError(message);
    case error_code::type_error: throw TypeError(message);
    case error_code::empty: throw Empty(message);
    case error_code::full: throw Full(message);
    case error_code::timeout_error: throw TimeoutError(message);
    case error_code::authentication_error: throw AuthenticationError(message);
    case error_code::connection_error: throw ConnectionError(message);
    case error_code::broken_barrier_error: throw BrokenBarrierError(message);
    case error_code::attribute_error: throw AttributeError(message);
    case error_code::runtime_error: throw RuntimeError(message);
    case error_code::no_such_object:
    case error_code::remote_error:
    case error_code::none:
    default: throw RemoteError(message);
  }
}

std::string message_of(const std::exception& e) {
  if (dynamic_cast<const Error*>(&e))
    return e.what();
  return demangled_name(typeid(e)) + ": " + e.what();
}

error_code code_of(const std::exception& e) noexcept {
  // Most derived first: AttributeError is a KeyError.
  if (dynamic_cast<const AttributeError*>(&e)) return error_code::attribute_error;
  if (dynamic_cast<const KeyError*>(&e)) return error_code::key_error;
  if (dynamic_cast<const IndexError*>(&e)) return error_code::index_error;
  if (dynamic_cast<const ValueError*>(&e)) return error_code::value_error;
  if (dynamic_cast<const TypeError*>(&e)) return error_code::type_error;
  if (dynamic_cast<const RuntimeError*>(&e)) return error_code::runtime_error;
  if (dynamic_cast<const Empty*>(&e)) return error_code::empty;
  if (dynamic_cast<const Full*>(&e)) return error_code::full;
  if (dynamic_cast<const TimeoutError*>(&e)) return error_code::timeout_error;
  if (dynamic_cast<const BrokenBarrierError*>(&e)) return error_code::broken_barrier_error;
  if (dynamic_cast<const ConnectionError*>(&e)) return error_code::connection_error;
  return error_code::remote_error;
}

} // namespace mpactor

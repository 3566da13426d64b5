#pragma once

// Address: where a manager's server listens: a TCP host and port, or a Unix
// socket path.
//
// The default is loopback with port 0, which lets the system pick a free port;
// address() of a started manager tells the one it got. A Unix socket (as
// Python's managers use on Linux by default) is faster for a manager on the
// same machine; a path starting with '@' names a Linux abstract socket, which
// leaves no file behind.

#include <cstdint>
#include <string>

namespace mpactor {

struct Address {
  Address() = default;
  Address(std::string host_name, std::uint16_t port_number)
    : host(std::move(host_name)), port(port_number) {
    // nop
  }

  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  std::string path; ///< a Unix socket instead of TCP when not empty

  /// The address of Unix socket `path` ('@' first: abstract).
  static Address unix_socket(std::string path) {
    Address a;
    a.host.clear();
    a.path = std::move(path);
    return a;
  }

  bool is_unix() const noexcept { return !path.empty(); }

  std::string to_string() const {
    return is_unix() ? "unix:" + path : host + ":" + std::to_string(port);
  }

  friend bool operator==(const Address& x, const Address& y) {
    return x.host == y.host && x.port == y.port && x.path == y.path;
  }
  friend bool operator!=(const Address& x, const Address& y) { return !(x == y); }
};

} // namespace mpactor

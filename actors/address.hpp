#pragma once

// Address: where a manager's server listens (host and TCP port).
//
// The default is loopback with port 0, which lets the system pick a free port;
// address() of a started manager tells the one it got.

#include <cstdint>
#include <string>

namespace mpactor {

struct Address {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;

  std::string to_string() const { return host + ":" + std::to_string(port); }

  friend bool operator==(const Address& x, const Address& y) {
    return x.host == y.host && x.port == y.port;
  }
  friend bool operator!=(const Address& x, const Address& y) { return !(x == y); }
};

} // namespace mpactor

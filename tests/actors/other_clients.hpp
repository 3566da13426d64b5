#pragma once

// other_clients: more connections to a manager's server, each with a dict
// of its own: more connections calling than there are cores, the crowd the
// server adapts to (batching, gathering, starvation).

#include <vector>

#include <mpactor/mpactor.hpp>

namespace mpactor_test {

struct other_clients {
  std::vector<mpactor::SyncManager> managers;
  std::vector<mpactor::DictProxy> dicts;

  template <class Manager>
  other_clients(Manager& m, unsigned n) {
    for (unsigned i = 0; i < n; ++i) {
      managers.emplace_back(m.address(), m.authkey());
      managers.back().connect();
      dicts.push_back(managers.back().dict());
    }
  }
};

} // namespace mpactor_test

// shared_names_client: the C++ side of shared_names.py. Connects to an
// mpactor-server started with --shared results=dict --shared jobs=Queue,
// reads what the Python client stored in "results", answers there and puts
// a job on "jobs": both are the objects the Python client has.
//
//   MPACTOR_AUTHKEY=KEY shared_names_client HOST:PORT

#include <cstdlib>
#include <iostream>
#include <string>

#include <mpactor/mpactor.hpp>

int main(int argc, char** argv) {
  const char* key = std::getenv("MPACTOR_AUTHKEY");
  std::string at = argc == 2 ? argv[1] : "";
  auto colon = at.rfind(':');
  if (key == nullptr || colon == std::string::npos) {
    std::cerr << "usage: MPACTOR_AUTHKEY=KEY shared_names_client HOST:PORT\n";
    return 2;
  }
  try {
    mpactor::BaseManager m{mpactor::Address{at.substr(0, colon),
                                            static_cast<std::uint16_t>(
                                              std::stoi(at.substr(colon + 1)))},
                           key};
    m.connect();
    auto results = m.create<mpactor::DictProxy>("results");
    auto seen = results.get("python");
    if (seen != "from python") {
      std::cerr << "shared_names_client: results['python'] is " << seen.dump() << "\n";
      return 1;
    }
    // An int key is one key for both kinds of client.
    if (results.get(7) != 49) {
      std::cerr << "shared_names_client: results[7] is " << results.get(7, nullptr).dump() << "\n";
      return 1;
    }
    results.set("cpp", "from c++");
    results.set(8, 64);
    m.create<mpactor::QueueProxy>("jobs").put(42);
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "shared_names_client: " << e.what() << "\n";
    return 1;
  }
}

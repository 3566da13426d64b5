// maths_host: a C++ manager started with start() (a forked server) that
// registers the tutorial's MathsClass and serves Python clients
// (BaseManager::serve_python): what registered_class.py runs against.
//
//   maths_host --python HOST:PORT      (MPACTOR_AUTHKEY holds the key)
//
// Prints "serving on HOST:PORT" and "serving Python clients on HOST:PORT"
// to stderr (run_with_server.py reads them), checks from C++ that the
// server it started answers, and shuts it down on SIGTERM or SIGINT.

#include <csignal>
#include <cstdlib>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include <mpactor/mpactor.hpp>

// The tutorial's class, with what a Python test needs beyond add and mul: a
// method whose result is a new managed object (a list) and one that throws
// an exception mpactor does not know.
class MathsClass {
public:
  int add(int x, int y) {
    results_.push_back(x + y);
    return x + y;
  }
  int mul(int x, int y) {
    results_.push_back(x * y);
    return x * y;
  }
  std::vector<int> results() const { return results_; }
  int div(int x, int y) {
    if (y == 0)
      throw std::domain_error("division by zero");
    return x / y;
  }

private:
  std::vector<int> results_;
};

int main(int argc, char** argv) {
  std::string python_at;
  for (int i = 1; i + 1 < argc; ++i)
    if (std::string{argv[i]} == "--python")
      python_at = argv[i + 1];
  const char* key = std::getenv("MPACTOR_AUTHKEY");
  auto colon = python_at.rfind(':');
  if (key == nullptr || colon == std::string::npos) {
    std::cerr << "usage: MPACTOR_AUTHKEY=KEY maths_host --python HOST:PORT\n";
    return 2;
  }
  mpactor::SyncManager manager{mpactor::Address{"127.0.0.1", 0}, key};
  manager.register_type<MathsClass>("Maths")
    .expose("add", &MathsClass::add)
    .expose("mul", &MathsClass::mul)
    .expose("div", &MathsClass::div)
    .expose("results", &MathsClass::results, "list");
  manager.serve_python(mpactor::Address{python_at.substr(0, colon),
                                        static_cast<std::uint16_t>(
                                          std::stoi(python_at.substr(colon + 1)))});
  manager.start();
  // Blocked after start() (the server process keeps its own handling), for
  // sigwait() below; the server ends with this process however it ends.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);
  auto maths = manager.create<mpactor::AutoProxy>("Maths");
  if (maths.call_method<int>("add", 1, 2) != 3) {
    std::cerr << "maths_host: the C++ proxy got a wrong sum\n";
    return 1;
  }
  auto py = manager.python_address();
  std::cerr << "maths_host: serving on " << manager.address().to_string() << std::endl;
  std::cerr << "maths_host: serving Python clients on " << py.host << ":" << py.port
            << std::endl;
  int sig = 0;
  sigwait(&stop, &sig);
  manager.shutdown();
  return 0;
}

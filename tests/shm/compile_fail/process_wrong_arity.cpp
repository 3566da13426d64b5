// Must not compile: the target takes two arguments, one is given.
#include <mpactor/mpactor.hpp>

int main() {
  mpactor::Process p([](int, int) {}, 1);
  (void) p;
}

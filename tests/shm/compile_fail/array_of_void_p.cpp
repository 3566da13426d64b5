// Must not compile: a pointer means nothing in another process.
#include <mpactor/mpactor.hpp>

int main() {
  mpactor::Array<mpactor::c_void_p> a(3);
  (void) a;
}

// Must not compile: a pointer means nothing in another process.
#include <mpactor/mpactor.hpp>

int main() {
  mpactor::Value<mpactor::c_char_p> v{nullptr};
  (void) v;
}

// Must not compile: an integer Value would drop the fraction of 1.5.
#include <mpactor/mpactor.hpp>

int main() {
  mpactor::Value<int> v{1};
  v += 1.5;
}

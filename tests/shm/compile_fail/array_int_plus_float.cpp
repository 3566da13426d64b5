// Must not compile: an integer Array element would drop the fraction of 1.5.
#include <mpactor/mpactor.hpp>

int main() {
  mpactor::Array<int> a{1, 2};
  a[0] += 1.5;
}

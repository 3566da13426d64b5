// maths_manager: the tutorial's custom manager with a registered MathsClass.
//
// MyManager.register('Maths', MathsClass) becomes register_type<MathsClass>
// with the methods it exposes; manager.Maths() becomes create("Maths"). The
// object lives in the manager's server process; add and mul run there, and
// the proxy's calls print 3 and 2.
//
// Run: ./maths_manager

#include <iostream>

#include <mpactor/mpactor.hpp>

class MathsClass {
public:
  int add(int x, int y) { return x + y; }
  int mul(int x, int y) { return x * y; }
};

// A typed proxy, so that calls read as in Python: maths.add(1, 2).
class MathsProxy : public mpactor::AutoProxy {
public:
  using AutoProxy::AutoProxy;
  int add(int x, int y) const { return call_method<int>("add", x, y); }
  int mul(int x, int y) const { return call_method<int>("mul", x, y); }
};

int main() {
  mpactor::BaseManager manager; // class MyManager(BaseManager): pass
  manager.register_type<MathsClass>("Maths")
    .expose("add", &MathsClass::add)
    .expose("mul", &MathsClass::mul);
  manager.start(); // a server process for this manager
  auto maths = manager.create<MathsProxy>("Maths");
  std::cout << maths.add(1, 2) << "\n";
  std::cout << maths.mul(1, 2) << "\n";
}

// namespace_nested: the tutorial's second pitfall, its fix, and nested proxies.
//
// A Namespace holds x = [] and y = []. A child that does ns.x.append(1)
// changes nothing: get() returns a copy of the list, and only assignments to
// the Namespace itself reach the server. The tutorial's fix passes the values
// in, mutates them and assigns them back. Since Python 3.6 a managed list can
// be stored in the Namespace instead: a nested proxy, whose mutations do
// propagate, from any process.
//
// Run: ./namespace_nested

#include <cstdio>

#include <mpactor/mpactor.hpp>

using mpactor::json;
using mpactor::ListProxy;
using mpactor::NamespaceProxy;
using mpactor::Process;

namespace {

void pitfall(NamespaceProxy ns) {
  ns.get("x").push_back(1);   // ns.x.append(1): appends to a copy
  ns.get("y").push_back("x"); // ns.y.append('x')
}

void fix(NamespaceProxy ns, json x, json y) {
  x.push_back(1);
  y.push_back("x");
  ns["x"] = x; // ns.x = x: an assignment to the Namespace propagates
  ns["y"] = y;
}

void nested(NamespaceProxy ns) {
  ns["x"].get<ListProxy>().append(1); // a proxy to the managed list itself
  ns["y"].get<ListProxy>().append("x");
}

void run(const char* title, const mpactor::SyncManager& manager, int variant) {
  std::printf("%s\n", title);
  auto ns = manager.Namespace();
  if (variant == 2) {
    ns["x"] = manager.list();
    ns["y"] = manager.list();
  } else {
    ns["x"] = json::array();
    ns["y"] = json::array();
  }
  auto show = [&](const char* when) {
    if (variant == 2)
      std::printf("%s x=%s, y=%s\n", when,
                  mpactor::python_repr(ns.get<ListProxy>("x").copy()).c_str(),
                  mpactor::python_repr(ns.get<ListProxy>("y").copy()).c_str());
    else
      std::printf("%s %s\n", when, ns.to_string().c_str());
  };
  show("before");
  Process p = variant == 0   ? Process(pitfall, ns)
              : variant == 1 ? Process(fix, ns, ns.get("x"), ns.get("y"))
                             : Process(nested, ns);
  p.start();
  p.join();
  show("after");
}

} // namespace

int main() {
  auto manager = mpactor::Manager();
  run("pitfall: ns.x.append(1) in a child changes nothing", manager, 0);
  run("fix: mutate the values, then assign them back (ns.x = x)", manager, 1);
  run("nested: store managed lists in the Namespace. appends propagate", manager, 2);
}

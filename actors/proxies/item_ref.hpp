#pragma once

// ItemRef: what `proxy[key]` gives (DictProxy, ListProxy, ArrayProxy,
// NamespaceProxy): a reference to one item of a managed object, as Python's
// `d[k]` reads and `d[k] = v` writes.
//
// An ItemRef holds a copy of the proxy and the item's address (a key, an
// index, a name or a slice); it reads nothing until used. Converting it to
// json (or to T, or calling get<T>()) is one round trip that reads the item;
// assigning to it is one round trip that writes it. `d[a] = d[b]` reads b
// and writes a. It is a handle: every use goes to the server again, so
// `d[k] += 1` is not offered (two unlocked round trips in Python too: hold a
// managed Lock, or keep a counter in a Value).

#include <cstddef>
#include <initializer_list>
#include <ostream>
#include <string>
#include <type_traits>
#include <utility>

#include <mpactor/actors/proxies/base_proxy.hpp>

namespace mpactor {

class ItemRef {
public:
  /// The item of `proxy` that `where` addresses; read with `get_method`,
  /// written with `set_method` (which takes `where` plus "value").
  ItemRef(BaseProxy proxy, json where, const char* get_method = "get",
          const char* set_method = "set")
    : proxy_(std::move(proxy)), where_(std::move(where)), get_(get_method),
      set_(set_method) {
    // nop
  }

  ItemRef(const ItemRef&) = default;

  /// Reads the item (one round trip).
  json get() const { return proxy_.call(get_, where_); }

  /// Reads the item as T (a proxy type, or anything json converts to);
  /// TypeError naming both types if it does not fit.
  template <class T>
  T get() const {
    return proxy_.call_as<T>(get_, where_);
  }

  /// Reads the item (one round trip).
  operator json() const { return get(); }

  /// Reads the item as T (one round trip), so `int n = d["n"];` works.
  template <class T,
            class = std::enable_if_t<!std::is_same_v<T, json> && !std::is_same_v<T, ItemRef>
                                     && !std::is_same_v<T, std::nullptr_t>
                                     && !std::is_same_v<T, json::value_t>
                                     && !std::is_same_v<T, json::initializer_list_t>>>
  operator T() const {
    return get<T>();
  }

  /// Writes the item (one round trip).
  const ItemRef& operator=(const json& value) const {
    auto args = where_;
    args["value"] = value;
    proxy_.call(set_, std::move(args));
    return *this;
  }

  /// Reads `other`'s item and writes it to this one (two round trips).
  const ItemRef& operator=(const ItemRef& other) const { return *this = other.get(); }

  /// Compares the item's value (one read) with `y`.
  template <class T>
  friend bool operator==(const ItemRef& x, const T& y) {
    return x.get() == y;
  }
  template <class T>
  friend bool operator==(const T& y, const ItemRef& x) {
    return x.get() == y;
  }
  friend bool operator==(const ItemRef& x, const ItemRef& y) { return x.get() == y.get(); }
  template <class T>
  friend bool operator!=(const ItemRef& x, const T& y) {
    return !(x == y);
  }
  template <class T>
  friend bool operator!=(const T& y, const ItemRef& x) {
    return !(x == y);
  }
  friend bool operator!=(const ItemRef& x, const ItemRef& y) { return !(x == y); }

  /// The item's value as json (one read). nlohmann's own conversions must
  /// not apply: they would read the item as a str (an ItemRef converts to
  /// string_view), and `json j = d[k];` prefers json's converting
  /// constructor, which lands here.
  friend void to_json(json& j, const ItemRef& x) { j = x.get(); }

  /// Prints the item's value as JSON (one read).
  friend std::ostream& operator<<(std::ostream& out, const ItemRef& x) {
    return out << x.get();
  }

private:
  BaseProxy proxy_;
  json where_;
  const char* get_;
  const char* set_;
};

} // namespace mpactor

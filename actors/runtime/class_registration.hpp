#pragma once

// class_registration: a plain C++ class served as a managed object
// (Python's BaseManager.register(typeid, callable, exposed=...)).
//
//   manager.register_type<MathsClass>("Maths")
//       .expose("add", &MathsClass::add)
//       .expose("mul", &MathsClass::mul);
//   auto maths = manager.create<AutoProxy>("Maths");
//   maths.call_method<int>("add", 1, 2);   // 3
//
// The server creates one T per object (default-constructed, or from the
// create call's "init" through from_json) and runs exposed methods in the
// object's actor, one call at a time. Arguments arrive as json and are
// converted to the parameter types; the wrong number or a wrong type is a
// TypeError, a method that is not exposed an AttributeError. A method
// exposed with a result type id returns a new managed object of that type
// (made from the method's result), which arrives as a proxy.

#include <functional>
#include <memory>
#include <string>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <utility>

#include <mpactor/actors/objects/managed_object.hpp>
#include <mpactor/actors/runtime/object_registry.hpp>
#include <mpactor/actors/runtime/object_table.hpp>
#include <mpactor/actors/core/token.hpp>
#include <mpactor/shm/error.hpp>

namespace mpactor {

template <class T>
class class_registration {
public:
  using method = std::function<json(T&, json&, object_table&)>;
  using method_table = std::unordered_map<std::string, method>;

  class_registration(object_registry& reg, std::string type_id)
    : reg_(&reg), type_id_(std::move(type_id)), methods_(std::make_shared<method_table>()) {
    auto methods = methods_;
    auto name = type_id_;
    reg.add(type_id_, [methods, name](const json& args, object_table& table)
                        -> std::shared_ptr<managed_object> {
      auto init = args.find("init");
      if (init != args.end() && !init->is_null()) {
        // from_json first (it checks the value's type); a class with a
        // constructor from json (which get<T>() cannot call) is made with it.
        if constexpr (has_from_json)
          return std::make_shared<instance>(name, methods, json_as<T>(*init), table);
        else if constexpr (std::is_constructible_v<T, const json&>)
          return std::make_shared<instance>(name, methods, T(*init), table);
        else
          throw TypeError("'" + name + "' cannot be made from a value");
      }
      if constexpr (std::is_default_constructible_v<T>)
        return std::make_shared<instance>(name, methods, T{}, table);
      else
        throw TypeError("'" + name + "' needs an initial value");
    });
  }

  /// Exposes member function `fn` as `name`.
  template <class R, class C, class... Ps>
  class_registration& expose(const std::string& name, R (C::*fn)(Ps...)) {
    return add(name, fn, {}, std::index_sequence_for<Ps...>{}, static_cast<std::tuple<Ps...>*>(nullptr));
  }

  template <class R, class C, class... Ps>
  class_registration& expose(const std::string& name, R (C::*fn)(Ps...) const) {
    return add(name, fn, {}, std::index_sequence_for<Ps...>{}, static_cast<std::tuple<Ps...>*>(nullptr));
  }

  /// Exposes `fn` as `name`, whose result becomes a new managed object of
  /// `result_type_id` (Python's method_to_typeid). ValueError at once if
  /// this manager cannot make `result_type_id` (say "list" on a plain
  /// BaseManager): register that type first.
  template <class R, class C, class... Ps>
  class_registration& expose(const std::string& name, R (C::*fn)(Ps...),
                             const std::string& result_type_id) {
    return add(name, fn, result_type_id, std::index_sequence_for<Ps...>{}, static_cast<std::tuple<Ps...>*>(nullptr));
  }

  template <class R, class C, class... Ps>
  class_registration& expose(const std::string& name, R (C::*fn)(Ps...) const,
                             const std::string& result_type_id) {
    return add(name, fn, result_type_id, std::index_sequence_for<Ps...>{}, static_cast<std::tuple<Ps...>*>(nullptr));
  }

private:
  template <class U, class = void>
  struct from_json_able : std::false_type {};
  template <class U>
  struct from_json_able<U, std::void_t<decltype(std::declval<const json&>().template get<U>())>>
    : std::true_type {};
  static constexpr bool has_from_json = from_json_able<T>::value;

  class instance : public managed_object {
  public:
    instance(std::string name, std::shared_ptr<method_table> methods, T value,
             object_table& table)
      : name_(std::move(name)), methods_(std::move(methods)), value_(std::move(value)),
        table_(table) {
      // nop
    }

    outcome call(call_context&, const std::string& m, json& args) override {
      auto it = methods_->find(m);
      if (it == methods_->end())
        return no_such_method(name_, m);
      return it->second(value_, args, table_);
    }

  private:
    std::string name_;
    std::shared_ptr<method_table> methods_;
    T value_;
    object_table& table_;
  };

  template <class F, std::size_t... Is, class... Ps>
  class_registration& add(const std::string& name, F fn, std::string result_type,
                          std::index_sequence<Is...>, std::tuple<Ps...>*) {
    if (!result_type.empty() && reg_->find(result_type) == nullptr)
      throw ValueError("expose('" + name + "') of '" + type_id_
                       + "': this manager cannot make result type id '" + result_type
                       + "' (register it first; list, dict, ... are SyncManager's)");
    reg_->add_exposed(type_id_, name, result_type);
    (*methods_)[name] = [fn, name, result_type](T& self, json& args,
                                               object_table& table) -> json {
      json& positional = args["args"];
      if (positional.is_null())
        positional = json::array();
      if (!positional.is_array() || positional.size() != sizeof...(Ps))
        throw TypeError(name + "() takes " + std::to_string(sizeof...(Ps))
                        + " arguments (" + std::to_string(positional.size())
                        + " given)");
      json out;
      using R = decltype((self.*fn)(argument<std::decay_t<Ps>>(name, Is, positional[Is])...));
      if constexpr (std::is_void_v<R>) {
        (self.*fn)(argument<std::decay_t<Ps>>(name, Is, positional[Is])...);
      } else {
        out = (self.*fn)(argument<std::decay_t<Ps>>(name, Is, positional[Is])...);
      }
      if (!result_type.empty()) {
        auto id = table.create(result_type, json{{"init", out}});
        // Empty host: an object of the server that replies (see server.cpp).
        return Token{result_type, id, Address{"", 0}}.to_marker();
      }
      return out;
    };
    return *this;
  }

  // Argument `i` (from 0) of method `name` as P; TypeError naming the
  // method and the position: "add() argument 2: expected int, got str".
  template <class P>
  static P argument(const std::string& name, std::size_t i, const json& value) {
    try {
      return json_as<P>(value);
    } catch (const TypeError& e) {
      throw TypeError(name + "() argument " + std::to_string(i + 1) + ": " + e.what());
    }
  }

  object_registry* reg_;
  std::string type_id_;
  std::shared_ptr<method_table> methods_;
};

} // namespace mpactor

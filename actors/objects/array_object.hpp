#pragma once

// array_actor: the state and handlers of a managed Array: a fixed number of
// json values. size(), get(index), set(index, value), copy(); negative
// indices count from the end; out of range is an IndexError. Made with a
// "typecode" ('i', 'd', ...), elements are checked and converted as Python's
// ctypes would (typecode.hpp) and a size fills with the type's zero.

#include <vector>

#include <mpactor/actors/objects/managed_object.hpp>
#include <mpactor/actors/objects/typecode.hpp>
#include <mpactor/actors/core/token.hpp>
#include <mpactor/shm/error.hpp>

namespace mpactor {

class array_object : public managed_object {
public:
  explicit array_object(const json& args) : typecode_(typecode_arg(args)) {
    auto init = args.value("init", json::array());
    if (init.is_number_integer()) {
      auto n = init.get<long long>();
      if (n < 0)
        throw ValueError("Array size must be >= 0");
      items_.assign(static_cast<std::size_t>(n), typecode_ ? typed_zero(typecode_) : json(0));
    } else if (init.is_array()) {
      for (auto& v : init) {
        if (!v.is_primitive() || Token::is_marker(v))
          throw TypeError("Array elements are numbers, strings or bools, not "
                          + json_type_name(v));
        items_.push_back(typed_value(typecode_, v));
      }
    } else {
      throw TypeError("Array: expected a size or a list, got " + json_type_name(init));
    }
  }

  outcome call(call_context&, const std::string& m, json& args) override {
    if (m == "size")
      return items_.size();
    if (m == "copy")
      return json(items_);
    if (m == "get")
      return items_[index(args)];
    if (m == "set") {
      auto& v = args["value"];
      if (!v.is_primitive())
        throw TypeError("Array elements are numbers, strings or bools, not "
                        + json_type_name(v));
      items_[index(args)] = typed_value(typecode_, v);
      return json{};
    }
    return no_such_method("Array", m);
  }

private:
  std::size_t index(const json& args) const {
    auto i = required_arg<long long>(args, "index");
    auto n = static_cast<long long>(items_.size());
    if (i < 0)
      i += n;
    if (i < 0 || i >= n)
      throw IndexError("array index out of range");
    return static_cast<std::size_t>(i);
  }

  char typecode_; // 0: untyped
  std::vector<json> items_;
};

} // namespace mpactor

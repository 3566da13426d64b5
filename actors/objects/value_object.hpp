#pragma once

// value_actor: the state and handlers of a managed Value: get(), set(value).
// Made with a "typecode" ('i', 'd', ...), every stored value is checked and
// converted as Python's ctypes would (typecode.hpp); without one, any value.

#include <mpactor/actors/objects/managed_object.hpp>
#include <mpactor/actors/objects/typecode.hpp>
#include <mpactor/actors/runtime/object_table.hpp>

namespace mpactor {

class value_object : public managed_object {
public:
  value_object(const json& args, object_table& table)
    : table_(table), typecode_(typecode_arg(args)) {
    auto init = args.value("init", json{});
    value_ = typecode_ != 0 && init.is_null() ? typed_zero(typecode_)
                                                : typed_value(typecode_, init);
    table_.hold(value_);
  }

  ~value_object() override { table_.drop(value_); }

  outcome call(call_context&, const std::string& m, json& args) override {
    if (m == "get")
      return value_;
    if (m == "set") {
      auto v = typed_value(typecode_, args["value"]);
      table_.hold(v);
      table_.drop(value_);
      value_ = std::move(v);
      return json{};
    }
    return no_such_method("Value", m);
  }

private:
  object_table& table_;
  char typecode_; // 0: untyped
  json value_;
};

} // namespace mpactor

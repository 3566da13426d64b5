#pragma once

// value_actor: the state and handlers of a managed Value: get(), set(value).

#include <mpactor/actors/objects/managed_object.hpp>
#include <mpactor/actors/runtime/object_table.hpp>

namespace mpactor {

class value_object : public managed_object {
public:
  value_object(const json& args, object_table& table)
    : table_(table), value_(args.value("init", json{})) {
    table_.hold(value_);
  }

  ~value_object() override { table_.drop(value_); }

  outcome call(call_context&, const std::string& m, json& args) override {
    if (m == "get")
      return value_;
    if (m == "set") {
      auto& v = args["value"];
      table_.hold(v);
      table_.drop(value_);
      value_ = std::move(v);
      return json{};
    }
    return no_such_method("Value", m);
  }

private:
  object_table& table_;
  json value_;
};

} // namespace mpactor

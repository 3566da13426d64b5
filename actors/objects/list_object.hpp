#pragma once

// list_actor: the state and handlers of a managed list.
//
// Methods (args are named; indices may be negative, as in Python):
//   append(value)  extend(values)  insert(index, value)  pop([index])
//   remove(value)  index(value)  count(value)  reverse()  sort([reverse])
//   clear()  size()  get(index)  set(index, value)  copy()  contains(value)
//   get_slice(start, stop, step)  set_slice(start, stop, step, value)
//   del_slice(start, stop, step)   (bounds as Python's slice; null is None)
// An index out of range is an IndexError; remove/index of a missing value a
// ValueError; sort of values that do not compare (str with int) a TypeError.

#include <vector>

#include <mpactor/actors/objects/managed_object.hpp>
#include <mpactor/actors/runtime/object_table.hpp>

namespace mpactor {

class list_object : public managed_object {
public:
  list_object(const json& init, object_table& table);
  ~list_object() override;

  outcome call(call_context& ctx, const std::string& method, json& args) override;

private:
  std::size_t position(const json& args, bool for_insert) const;

  object_table& table_;
  std::vector<json> items_;
};

} // namespace mpactor

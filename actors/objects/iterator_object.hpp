#pragma once

// iterator_object: the state and handlers of an Iterator, what a Python
// client's iter() of a managed dict or list gives (Python's 'Iterator'
// type id, a proxy whose __next__ goes to the server).
//
//   next() -> the next item; IndexError once exhausted (StopIteration for
//             the Python client)
// It walks a copy of the items taken when it was made (one round trip for
// the copy, then one per next(), as Python's). Made over a dict, it checks
// that dict's size on each next(), as Python's dict iterator does, and
// fails with RuntimeError "dictionary changed size during iteration" when
// it changed. Items that are proxies are held until they are handed out.

#include <cstddef>
#include <memory>
#include <vector>

#include <mpactor/actors/objects/dict_object.hpp>
#include <mpactor/actors/objects/managed_object.hpp>
#include <mpactor/actors/runtime/object_table.hpp>

namespace mpactor {

class iterator_object : public managed_object {
public:
  /// Over `items` (a json array); `dict` (may be null) is the dict they
  /// are the keys of.
  iterator_object(json items, std::shared_ptr<const dict_object> dict, object_table& table);
  ~iterator_object() override;

  outcome call(call_context& ctx, const std::string& method, json& args) override;

private:
  object_table& table_;
  json items_;                              // the copy, handed out from next_
  std::size_t next_ = 0;
  std::shared_ptr<const dict_object> dict_; // null: no size check
  std::size_t dict_size_ = 0;               // the dict's size when made
};

} // namespace mpactor

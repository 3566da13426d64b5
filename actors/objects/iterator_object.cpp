#include <mpactor/actors/objects/iterator_object.hpp>

#include <mpactor/shm/error.hpp>

namespace mpactor {

iterator_object::iterator_object(json items, std::shared_ptr<const dict_object> dict,
                                 object_table& table)
  : table_(table), items_(std::move(items)), dict_(std::move(dict)) {
  if (!items_.is_array())
    throw TypeError("an Iterator is made from a list, not " + json_type_name(items_));
  if (dict_)
    dict_size_ = items_.size();
  table_.hold(items_);
}

iterator_object::~iterator_object() {
  for (std::size_t i = next_; i < items_.size(); ++i)
    table_.drop(items_[i]);
}

outcome iterator_object::call(call_context& ctx, const std::string& m, json&) {
  if (m != "next")
    return no_such_method("Iterator", m);
  if (dict_ && dict_->size_now() != dict_size_) {
    // Python's iterator stays broken once it saw the change.
    dict_size_ = static_cast<std::size_t>(-1);
    return make_error(error_code::runtime_error, "dictionary changed size during iteration");
  }
  if (next_ >= items_.size())
    return make_error(error_code::index_error, "the iterator is exhausted");
  json item = std::move(items_[next_++]);
  ctx.drop_after_reply(item);
  return item;
}

} // namespace mpactor

#include <mpactor/actors/python/flat_pickle_reader.hpp>

#include <cstdint>
#include <vector>

#include <mpactor/actors/python/pickle_args.hpp>
#include <mpactor/actors/python/python_str.hpp>
#include <mpactor/actors/python/python_value.hpp>

namespace mpactor::python {

namespace {

enum class kind : std::uint8_t { scalar, tuple, list, dict };

struct entry {
  json value; // a tuple's items, untagged, until it is used
  kind what = kind::scalar;
  std::size_t height = 0; // nesting below it: 0 for a scalar or an empty container
  std::uint64_t raw = 0;  // a tuple's: item i (< 64) is a tuple's items, not yet tagged
};

// Giving up is no error: the graph reader reads the pickle again.
struct give_up {};

class flat_reading {
public:
  // `stack` and `marks` are the thread's scratch vectors, empty: a request
  // then allocates only for its values.
  flat_reading(const pickle_limits& limits, std::string_view pickle, std::vector<entry>& stack,
               std::vector<std::size_t>& marks)
    : limits_(limits), data_(reinterpret_cast<const std::uint8_t*>(pickle.data())),
      end_(pickle.size()), stack_(stack), marks_(marks) {
    // nop
  }

  flat_reading(const flat_reading&) = delete;
  flat_reading& operator=(const flat_reading&) = delete;

  ~flat_reading() {
    stack_.clear();
    marks_.clear();
    // A big pickle's stack is not kept for the thread's next small one.
    if (stack_.capacity() > 64)
      std::vector<entry>{}.swap(stack_);
    if (marks_.capacity() > 64)
      std::vector<std::size_t>{}.swap(marks_);
  }

  entry run() {
    if (end_ > limits_.max_size)
      throw give_up{};
    for (;;) {
      auto op = take_u8();
      if (op == '.') { // STOP
        if (!marks_.empty() || stack_.size() != 1 || pos_ != end_)
          throw give_up{};
        return std::move(stack_.back());
      }
      step(op);
    }
  }

private:
  const std::uint8_t* take(std::size_t n) {
    if (n > end_ - pos_)
      throw give_up{};
    auto p = data_ + pos_;
    pos_ += n;
    return p;
  }

  std::uint8_t take_u8() {
    return *take(1);
  }

  std::uint64_t take_le(std::size_t n) {
    return little_endian(take(n), n);
  }

  std::size_t floor() const {
    return marks_.empty() ? 0 : marks_.back();
  }

  // Each value counts as the graph reader counts its nodes.
  void push(json value, kind what = kind::scalar, std::size_t height = 0) {
    if (++values_ >= limits_.max_values || height >= limits_.max_depth)
      throw give_up{};
    stack_.push_back(entry{std::move(value), what, height});
  }

public:
  // Tags the tuples among a tuple's items, except item `keep`.
  static void settle(entry& e, std::size_t keep = flat_pickle_reader::no_item) {
    auto& items = e.value.get_ref<json::array_t&>();
    for (std::size_t i = 0; e.raw != 0; ++i, e.raw >>= 1)
      if ((e.raw & 1) != 0 && i != keep)
        items[i] = py_tuple_of(std::move(items[i].get_ref<json::array_t&>()));
  }

private:
  static json finished(entry& e) {
    if (e.what != kind::tuple)
      return std::move(e.value);
    settle(e);
    return py_tuple_of(std::move(e.value.get_ref<json::array_t&>()));
  }

  // The entries from `at` on as the items of a container. A tuple's tuple
  // items stay untagged until it is used: the request's args tuple is
  // wanted as its items (read(pickle, 2)), and tagging it only to take the
  // tag off again is most of what reading a request costs.
  void push_container(kind what, std::size_t at) {
    auto count = stack_.size() - at;
    if (count > limits_.max_items)
      throw give_up{};
    json::array_t items;
    items.reserve(count);
    std::size_t height = 0;
    std::uint64_t raw = 0;
    for (auto i = at; i < stack_.size(); ++i) {
      auto& item = stack_[i];
      height = std::max(height, item.height + 1);
      if (what == kind::tuple && item.what == kind::tuple && i - at < 64) {
        settle(item);
        raw |= std::uint64_t{1} << (i - at);
        items.push_back(std::move(item.value));
      } else {
        items.push_back(finished(item));
      }
    }
    stack_.resize(at);
    push(json(std::move(items)), what, height);
    stack_.back().raw = raw;
  }

  void append(std::size_t at) {
    // APPEND(S): the list is the entry below `at`.
    if (at == 0 || at <= floor() || stack_[at - 1].what != kind::list)
      throw give_up{};
    auto& list = stack_[at - 1];
    auto& items = list.value.get_ref<json::array_t&>();
    if (items.size() + (stack_.size() - at) > limits_.max_items)
      throw give_up{};
    for (auto i = at; i < stack_.size(); ++i) {
      list.height = std::max(list.height, stack_[i].height + 1);
      items.push_back(finished(stack_[i]));
    }
    stack_.resize(at);
    if (list.height >= limits_.max_depth)
      throw give_up{};
  }

  std::size_t pop_mark() {
    if (marks_.empty())
      throw give_up{};
    auto at = marks_.back();
    marks_.pop_back();
    return at;
  }

  void push_string(std::size_t width) {
    auto n = take_le(width);
    if (n > end_ - pos_)
      throw give_up{};
    auto p = take(static_cast<std::size_t>(n));
    if (!is_python_utf8(p, static_cast<std::size_t>(n)))
      throw give_up{};
    push(std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n)));
  }

  void step(std::uint8_t op) {
    switch (op) {
      case 0x80: // PROTO
        if (take_u8() > 5)
          throw give_up{};
        return;
      case 0x95: // FRAME
        if (take_le(8) > end_ - pos_)
          throw give_up{};
        return;
      case '(': // MARK
        if (marks_.size() >= limits_.max_depth)
          throw give_up{};
        marks_.push_back(stack_.size());
        return;
      case 0x94: // MEMOIZE: nothing fetches it, or this reader gives up
        if (stack_.size() <= floor() || memo_ >= limits_.max_memo)
          throw give_up{};
        ++memo_;
        return;
      case 'N': push(nullptr); return;
      case 0x88: push(true); return;
      case 0x89: push(false); return;
      case 'J': push(static_cast<std::int64_t>(static_cast<std::int32_t>(take_le(4)))); return;
      case 'K': push(static_cast<std::int64_t>(take_u8())); return;
      case 'M': push(static_cast<std::int64_t>(take_le(2))); return;
      case 0x8a: { // LONG1 within 64 bits
        std::size_t n = take_u8();
        if (n > 8 || n > limits_.max_int_bytes)
          throw give_up{};
        push(small_twos_complement(take(n), n));
        return;
      }
      case 'G': push(big_endian_double(take(8))); return; // BINFLOAT
      case 0x8c: push_string(1); return; // SHORT_BINUNICODE
      case 'X': push_string(4); return;  // BINUNICODE
      case 'C': case 'B': { // SHORT_BINBYTES, BINBYTES
        auto n = take_le(op == 'C' ? 1 : 4);
        if (n > end_ - pos_)
          throw give_up{};
        auto p = take(static_cast<std::size_t>(n));
        push(py_bytes(std::vector<std::uint8_t>(p, p + n)));
        return;
      }
      case ')': push(json::array_t{}, kind::tuple); return; // EMPTY_TUPLE
      case 0x85: case 0x86: case 0x87: { // TUPLE1, TUPLE2, TUPLE3
        std::size_t n = op - 0x84u;
        if (stack_.size() < floor() + n)
          throw give_up{};
        push_container(kind::tuple, stack_.size() - n);
        return;
      }
      case 't': push_container(kind::tuple, pop_mark()); return;
      case ']': push(json::array_t{}, kind::list); return; // EMPTY_LIST
      case 'l': push_container(kind::list, pop_mark()); return;
      case 'a': // APPEND
        if (stack_.size() <= floor())
          throw give_up{};
        append(stack_.size() - 1);
        return;
      case 'e': append(pop_mark()); return; // APPENDS
      case '}': push(py_dict({}), kind::dict); return; // EMPTY_DICT
      default: throw give_up{}; // the graph reader's
    }
  }

  const pickle_limits& limits_;
  const std::uint8_t* data_;
  std::size_t end_;
  std::size_t pos_ = 0;
  std::vector<entry>& stack_;
  std::vector<std::size_t>& marks_;
  std::size_t values_ = 0;
  std::size_t memo_ = 0;
};

} // namespace

std::optional<flat_pickle_reader::result> flat_pickle_reader::read(std::string_view pickle,
                                                                  std::size_t untagged) const {
  thread_local std::vector<entry> stack;
  thread_local std::vector<std::size_t> marks;
  try {
    auto top = flat_reading{limits_, pickle, stack, marks}.run();
    result out;
    if (top.what == kind::tuple) {
      out.tuple = true;
      flat_reading::settle(top, untagged);
      out.items = std::move(top.value.get_ref<json::array_t&>());
    } else {
      out.value = std::move(top.value);
    }
    return out;
  } catch (const give_up&) {
    return std::nullopt;
  }
}

} // namespace mpactor::python

#include <mpactor/actors/python/pickle_reader.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <unordered_map>
#include <vector>

#include <mpactor/actors/python/pickle_args.hpp>
#include <mpactor/actors/python/python_globals.hpp>
#include <mpactor/actors/python/python_int.hpp>
#include <mpactor/actors/python/python_str.hpp>
#include <mpactor/actors/python/python_value.hpp>

namespace mpactor::python {

namespace {

// -- the graph the opcodes build -----------------------------------------------

enum class node_kind : std::uint8_t {
  scalar,    // `scalar` is the finished json value
  list,      // items
  tuple,     // items
  dict,      // items: key, value, key, value, ...
  set,       // items
  frozenset, // items
  global,    // `global`
  token,     // items: typeid, address, id once built
  proxy,     // items: proxy class (a global), token, kwds
  exception, // `global`; items: args; `state` after BUILD
  slice,     // items: start, stop, step
  range,     // items: start, stop, step
};

constexpr std::uint32_t no_node = UINT32_MAX;

struct node {
  node_kind kind = node_kind::scalar;
  json scalar;
  std::vector<std::uint32_t> items;
  const python_global* global = nullptr;
  std::uint32_t state = no_node;
  bool shared = false; // fetched from the memo: in the result more than once
};

const char* kind_name(node_kind kind) {
  switch (kind) {
    case node_kind::scalar: return "value";
    case node_kind::list: return "list";
    case node_kind::tuple: return "tuple";
    case node_kind::dict: return "dict";
    case node_kind::set: return "set";
    case node_kind::frozenset: return "frozenset";
    case node_kind::global: return "global";
    case node_kind::token: return "Token";
    case node_kind::proxy: return "proxy";
    case node_kind::exception: return "exception";
    case node_kind::slice: return "slice";
    case node_kind::range: return "range";
  }
  return "?";
}

// One read: the input, the graph, the stack, the marks and the memo.
class reading {
public:
  reading(const pickle_limits& limits, std::string_view pickle)
    : limits_(limits),
      data_(reinterpret_cast<const std::uint8_t*>(pickle.data())),
      end_(pickle.size()) {
    if (pickle.size() > limits_.max_size)
      fail("pickle of " + std::to_string(pickle.size()) + " bytes is over the limit of "
           + std::to_string(limits_.max_size));
    // A manager request (ident, method, args, kwds) fits without growing.
    nodes_.reserve(16);
    stack_.reserve(16);
    memo_dense_.reserve(16);
  }

  json run() { return to_json(read_to_stop(), 0); }

  // The items of a tuple pickle, each as run() would give it inside the
  // tuple; none if the pickle is not a tuple.
  std::optional<json::array_t> run_tuple() {
    auto index = read_to_stop();
    const node& n = nodes_[index];
    if (n.kind != node_kind::tuple) {
      to_json(index, 0); // refused as read() refuses it, if it is
      return std::nullopt;
    }
    ++emitted_; // the tuple itself, as to_json counts it
    on_path_[index] = true;
    json::array_t out;
    out.reserve(n.items.size());
    for (auto item : n.items)
      out.push_back(to_json(item, 1));
    return out;
  }

private:
  // Reads up to STOP; returns the value's node.
  std::uint32_t read_to_stop() {
    for (;;) {
      std::size_t at = pos_;
      std::uint8_t op = take_u8();
      if (op == '.') { // STOP
        if (!marks_.empty() || stack_.size() != 1)
          fail("STOP with " + std::to_string(stack_.size()) + " values and "
               + std::to_string(marks_.size()) + " open MARKs on the stack");
        if (pos_ != end_)
          fail(std::to_string(end_ - pos_) + " bytes after STOP");
        on_path_.assign(nodes_.size(), false);
        return stack_.back();
      }
      step(op, at);
    }
  }

  [[noreturn]] static void fail(const std::string& what) {
    throw pickle_error("pickle refused: " + what);
  }

  // -- input

  void need(std::size_t n) {
    if (n > end_ - pos_)
      fail("truncated: " + std::to_string(n) + " bytes wanted at offset " + std::to_string(pos_)
           + ", " + std::to_string(end_ - pos_) + " left");
  }

  const std::uint8_t* take(std::size_t n) {
    need(n);
    auto p = data_ + pos_;
    pos_ += n;
    return p;
  }

  std::uint64_t take_le(std::size_t n) {
    return little_endian(take(n), n);
  }

  std::uint8_t take_u8() {
    return *take(1);
  }

  // A length the pickle announces: it must be there, so nothing big is
  // allocated for what is not.
  std::size_t take_length(std::size_t width) {
    auto n = take_le(width);
    need(n > end_ ? end_ + 1 : static_cast<std::size_t>(n));
    return static_cast<std::size_t>(n);
  }

  std::string take_line() {
    constexpr std::size_t max_line = 256;
    std::size_t limit = std::min(end_ - pos_, max_line);
    auto p = data_ + pos_;
    auto nl = static_cast<const std::uint8_t*>(std::memchr(p, '\n', limit));
    if (nl == nullptr)
      fail("GLOBAL: no name line ending within " + std::to_string(max_line) + " bytes");
    std::string line(reinterpret_cast<const char*>(p), static_cast<std::size_t>(nl - p));
    pos_ += line.size() + 1;
    for (unsigned char c : line)
      if (c < 0x20 || c > 0x7e)
        fail("GLOBAL: a name that is not printable ASCII");
    return line;
  }

  // -- graph

  std::uint32_t make(node n) {
    if (nodes_.size() >= limits_.max_values)
      fail("more than " + std::to_string(limits_.max_values) + " values (max_values)");
    nodes_.push_back(std::move(n));
    return static_cast<std::uint32_t>(nodes_.size() - 1);
  }

  std::uint32_t make_scalar(json value) {
    node n;
    n.scalar = std::move(value);
    return make(std::move(n));
  }

  std::uint32_t make_container(node_kind kind, std::vector<std::uint32_t> items) {
    node n;
    n.kind = kind;
    n.items = std::move(items);
    check_items(n);
    return make(std::move(n));
  }

  void check_items(const node& n) {
    auto count = n.kind == node_kind::dict ? n.items.size() / 2 : n.items.size();
    if (count > limits_.max_items)
      fail(std::string{"a "} + kind_name(n.kind) + " of more than "
           + std::to_string(limits_.max_items) + " items (max_items)");
  }

  // -- stack

  std::size_t floor() const {
    return marks_.empty() ? 0 : marks_.back();
  }

  void push(std::uint32_t index) {
    stack_.push_back(index);
  }

  std::uint32_t pop(const char* op) {
    if (stack_.size() <= floor())
      fail(std::string{op} + ": stack underflow");
    auto v = stack_.back();
    stack_.pop_back();
    return v;
  }

  std::uint32_t top(const char* op) {
    if (stack_.size() <= floor())
      fail(std::string{op} + ": stack underflow");
    return stack_.back();
  }

  node& top_of(const char* op, node_kind kind) {
    auto& n = nodes_[top(op)];
    if (n.kind != kind)
      fail(std::string{op} + " on a " + kind_name(n.kind) + ", not a " + kind_name(kind));
    return n;
  }

  std::vector<std::uint32_t> pop_mark(const char* op) {
    if (marks_.empty())
      fail(std::string{op} + " without a MARK");
    auto at = marks_.back();
    marks_.pop_back();
    std::vector<std::uint32_t> items(stack_.begin() + static_cast<std::ptrdiff_t>(at), stack_.end());
    stack_.resize(at);
    return items;
  }

  void append_items(node& n, const std::vector<std::uint32_t>& items) {
    n.items.insert(n.items.end(), items.begin(), items.end());
    check_items(n);
  }

  const std::string& string_of(std::uint32_t index, const char* what) {
    const auto& n = nodes_[index];
    if (n.kind != node_kind::scalar || !n.scalar.is_string())
      fail(std::string{what} + " is not a str");
    return n.scalar.get_ref<const std::string&>();
  }

  // -- memo

  // Python numbers its memo entries 0, 1, 2, ... (MEMOIZE, and BINPUT as
  // protocol 2 writes it): those keys index a vector; any other key (a
  // LONG_BINPUT far off) goes to a map, so that no key makes the vector big.
  static constexpr std::uint64_t dense_keys = 4096;

  std::uint32_t* memo_slot(std::uint64_t key) {
    if (key < memo_dense_.size())
      return memo_dense_[key] == no_node ? nullptr : &memo_dense_[key];
    if (key < dense_keys)
      return nullptr;
    auto found = memo_sparse_.find(key);
    return found == memo_sparse_.end() ? nullptr : &found->second;
  }

  void memo_put(std::uint64_t key, const char* op) {
    auto value = top(op);
    if (auto* slot = memo_slot(key)) {
      *slot = value;
      return;
    }
    if (memo_size_ >= limits_.max_memo)
      fail("more than " + std::to_string(limits_.max_memo) + " memo entries (max_memo)");
    ++memo_size_;
    if (key < dense_keys) {
      if (key >= memo_dense_.size())
        memo_dense_.resize(static_cast<std::size_t>(key) + 1, no_node);
      memo_dense_[key] = value;
    } else {
      memo_sparse_.emplace(key, value);
    }
  }

  void memo_get(std::uint64_t key) {
    auto* slot = memo_slot(key);
    if (slot == nullptr)
      fail("memo key " + std::to_string(key) + " is not defined");
    nodes_[*slot].shared = true;
    push(*slot);
  }

  // -- opcodes

  void push_int(std::size_t width) {
    auto n = width == 1 ? take_u8() : static_cast<std::size_t>(take_le(4));
    if (width == 4 && (n & 0x80000000u) != 0)
      fail("LONG4 with a negative length");
    if (n > limits_.max_int_bytes)
      fail("an int of " + std::to_string(n) + " bytes is over the limit of "
           + std::to_string(limits_.max_int_bytes) + " (max_int_bytes)");
    auto bytes = take(n);
    if (n <= 8) {
      push(make_scalar(small_twos_complement(bytes, n)));
      return;
    }
    push(make_scalar(py_int(decimal_from_twos_complement(bytes, n))));
  }

  void push_string(std::size_t width) {
    auto n = take_length(width);
    auto p = take(n);
    if (!is_python_utf8(p, n))
      fail("a str that is not UTF-8, at offset " + std::to_string(pos_ - n));
    push(make_scalar(std::string(reinterpret_cast<const char*>(p), n)));
  }

  void push_bytes(std::size_t width, bool bytearray) {
    auto n = take_length(width);
    auto p = take(n);
    std::vector<std::uint8_t> bytes(p, p + n);
    push(make_scalar(bytearray ? py_bytearray(std::move(bytes)) : py_bytes(std::move(bytes))));
  }

  void push_global(std::string module, std::string name) {
        auto entry = find_python_global(module, name);
    if (entry == nullptr)
      fail("global '" + module + "." + name + "' is not in the table of allowed names");
    node n;
    n.kind = node_kind::global;
    n.global = entry;
    push(make(std::move(n)));
  }

  // Bytes of a value that must be bytes; for bytearray(x) and set(x).
  const node& arg(const std::vector<std::uint32_t>& args, std::size_t i) {
    return nodes_[args[i]];
  }

  void reduce() {
    auto args_index = pop("REDUCE");
    auto func_index = pop("REDUCE");
    const auto& func = nodes_[func_index];
    const auto& args_node = nodes_[args_index];
    if (func.kind != node_kind::global)
      fail(std::string{"REDUCE of a "} + kind_name(func.kind) + ", not a global");
    if (args_node.kind != node_kind::tuple)
      fail(std::string{"REDUCE with "} + kind_name(args_node.kind) + " arguments, not a tuple");
    auto entry = func.global;
    auto args = args_node.items; // a copy: make() may move nodes_
    auto name = std::string{entry->module} + "." + entry->name;
    auto bad_args = [&] { fail("REDUCE of " + name + " with unexpected arguments"); };
    switch (entry->what) {
      case python_global::role::bytearray_class:
      case python_global::role::bytes_class: {
        std::vector<std::uint8_t> bytes;
        if (args.size() == 1 && arg(args, 0).kind == node_kind::scalar
            && arg(args, 0).scalar.is_binary()) {
          bytes = arg(args, 0).scalar.get_binary();
        } else if (!args.empty()) {
          bad_args();
        }
        bool is_bytearray = entry->what == python_global::role::bytearray_class;
        push(make_scalar(is_bytearray ? py_bytearray(std::move(bytes))
                                      : py_bytes(std::move(bytes))));
        return;
      }
      case python_global::role::codecs_encode: {
        // Protocol 2's bytes: _codecs.encode(text, 'latin1'), each code
        // point below 256 one byte.
        if (args.size() != 2)
          bad_args();
        const auto& text = string_of(args[0], "_codecs.encode's text");
        const auto& encoding = string_of(args[1], "_codecs.encode's encoding");
        if (encoding != "latin1" && encoding != "latin-1")
          fail("_codecs.encode with encoding '" + encoding + "'");
        std::vector<std::uint8_t> bytes;
        for (std::size_t i = 0; i < text.size(); ++i) {
          auto c = static_cast<std::uint8_t>(text[i]);
          if (c < 0x80) {
            bytes.push_back(c);
          } else if ((c == 0xc2 || c == 0xc3) && i + 1 < text.size()) {
            bytes.push_back(static_cast<std::uint8_t>(((c & 0x03) << 6)
                                                      | (static_cast<std::uint8_t>(text[++i]) & 0x3f)));
          } else {
            fail("_codecs.encode: a character beyond latin-1");
          }
        }
        push(make_scalar(py_bytes(std::move(bytes))));
        return;
      }
      case python_global::role::set_class:
      case python_global::role::frozenset_class:
      case python_global::role::list_class: {
        std::vector<std::uint32_t> items;
        if (args.size() == 1) {
          const auto& from = arg(args, 0);
          if (from.kind != node_kind::list && from.kind != node_kind::tuple
              && from.kind != node_kind::set && from.kind != node_kind::frozenset)
            bad_args();
          items = from.items;
        } else if (!args.empty()) {
          bad_args();
        }
        auto kind = entry->what == python_global::role::set_class         ? node_kind::set
                    : entry->what == python_global::role::frozenset_class ? node_kind::frozenset
                                                                  : node_kind::list;
        push(make_container(kind, std::move(items)));
        return;
      }
      case python_global::role::slice_class:
      case python_global::role::range_class: {
        if (args.empty() || args.size() > 3)
          bad_args();
        auto none = make_scalar(nullptr);
        std::vector<std::uint32_t> items;
        if (args.size() == 1)
          items = {none, args[0], none}; // slice(stop), range(stop)
        else
          items = {args[0], args[1], args.size() == 3 ? args[2] : none};
        bool is_slice = entry->what == python_global::role::slice_class;
        push(make_container(is_slice ? node_kind::slice : node_kind::range, std::move(items)));
        return;
      }
      case python_global::role::rebuild_proxy: {
        // RebuildProxy(proxy class, token, serializer, kwds)
        if (args.size() != 4)
          bad_args();
        if (arg(args, 0).kind != node_kind::global
            || arg(args, 0).global->what != python_global::role::proxy_class)
          fail("RebuildProxy of something that is not a proxy class of multiprocessing.managers");
        if (arg(args, 1).kind != node_kind::token)
          fail("RebuildProxy without a Token");
        if (string_of(args[2], "RebuildProxy's serializer") != "pickle")
          fail("RebuildProxy with a serializer other than 'pickle'");
        if (arg(args, 3).kind != node_kind::dict)
          fail("RebuildProxy with kwds that are not a dict");
        push(make_container(node_kind::proxy, {args[0], args[1], args[3]}));
        return;
      }
      case python_global::role::exception_class: {
        node n;
        n.kind = node_kind::exception;
        n.global = entry;
        n.items = std::move(args);
        push(make(std::move(n)));
        return;
      }
      case python_global::role::token_class:
      case python_global::role::proxy_class:
        break;
    }
    fail("REDUCE of " + name + " is not allowed");
  }

  void newobj() {
    auto args_index = pop("NEWOBJ");
    auto cls_index = pop("NEWOBJ");
    const auto& cls = nodes_[cls_index];
    if (cls.kind != node_kind::global || cls.global->what != python_global::role::token_class)
      fail(std::string{"NEWOBJ of "}
           + (cls.kind == node_kind::global
                ? std::string{cls.global->module} + "." + cls.global->name
                : std::string{"a "} + kind_name(cls.kind))
           + " is not allowed (only multiprocessing.managers.Token)");
    const auto& args = nodes_[args_index];
    if (args.kind != node_kind::tuple || !args.items.empty())
      fail("NEWOBJ of Token with arguments");
    push(make_container(node_kind::token, {}));
  }

  void build() {
    auto state_index = pop("BUILD");
    auto& target = nodes_[top("BUILD")];
    const auto& state = nodes_[state_index];
    if (target.kind == node_kind::token) {
      if (!target.items.empty())
        fail("BUILD of a Token twice");
      if (state.kind != node_kind::tuple || state.items.size() != 3)
        fail("BUILD of a Token with a state that is not (typeid, address, id)");
      target.items = state.items;
      return;
    }
    if (target.kind == node_kind::exception) {
      if (target.state != no_node)
        fail("BUILD of an exception twice");
      if (state.kind != node_kind::dict)
        fail("BUILD of an exception with a state that is not a dict");
      target.state = state_index;
      return;
    }
    fail(std::string{"BUILD of a "} + kind_name(target.kind) + " is not allowed");
  }

  void step(std::uint8_t op, std::size_t at) {
    switch (op) {
      case 0x80: { // PROTO
        auto proto = take_u8();
        if (proto > 5)
          fail("unsupported pickle protocol " + std::to_string(proto));
        return;
      }
      case 0x95: // FRAME: a hint of the next bytes' length
        take_length(8);
        return;
      case '(': // MARK
        if (marks_.size() >= limits_.max_depth)
          fail("more than " + std::to_string(limits_.max_depth) + " open MARKs (max_depth)");
        marks_.push_back(stack_.size());
        return;
      case '0': // POP
        if (stack_.size() > floor())
          stack_.pop_back();
        else
          pop_mark("POP");
        return;
      case '1': // POP_MARK
        pop_mark("POP_MARK");
        return;
      case 'N': push(make_scalar(nullptr)); return;
      case 0x88: push(make_scalar(true)); return;  // NEWTRUE
      case 0x89: push(make_scalar(false)); return; // NEWFALSE
      case 'J': // BININT
        push(make_scalar(static_cast<std::int64_t>(static_cast<std::int32_t>(take_le(4)))));
        return;
      case 'K': push(make_scalar(static_cast<std::int64_t>(take_u8()))); return; // BININT1
      case 'M': push(make_scalar(static_cast<std::int64_t>(take_le(2)))); return; // BININT2
      case 0x8a: push_int(1); return; // LONG1
      case 0x8b: push_int(4); return; // LONG4
      case 'G': push(make_scalar(big_endian_double(take(8)))); return; // BINFLOAT
      case 0x8c: push_string(1); return; // SHORT_BINUNICODE
      case 'X': push_string(4); return;  // BINUNICODE
      case 0x8d: push_string(8); return; // BINUNICODE8
      case 'C': push_bytes(1, false); return; // SHORT_BINBYTES
      case 'B': push_bytes(4, false); return; // BINBYTES
      case 0x8e: push_bytes(8, false); return; // BINBYTES8
      case 0x96: push_bytes(8, true); return;  // BYTEARRAY8
      case ')': push(make_container(node_kind::tuple, {})); return; // EMPTY_TUPLE
      case 0x85: case 0x86: case 0x87: { // TUPLE1, TUPLE2, TUPLE3
        std::size_t n = op - 0x84u;
        if (stack_.size() < floor() + n)
          fail("TUPLE" + std::to_string(n) + ": stack underflow");
        std::vector<std::uint32_t> items(stack_.end() - static_cast<std::ptrdiff_t>(n), stack_.end());
        stack_.resize(stack_.size() - n);
        push(make_container(node_kind::tuple, std::move(items)));
        return;
      }
      case 't': push(make_container(node_kind::tuple, pop_mark("TUPLE"))); return;
      case ']': push(make_container(node_kind::list, {})); return; // EMPTY_LIST
      case 'l': push(make_container(node_kind::list, pop_mark("LIST"))); return;
      case 'a': { // APPEND
        auto value = pop("APPEND");
        append_items(top_of("APPEND", node_kind::list), {value});
        return;
      }
      case 'e': { // APPENDS
        auto items = pop_mark("APPENDS");
        append_items(top_of("APPENDS", node_kind::list), items);
        return;
      }
      case '}': push(make_container(node_kind::dict, {})); return; // EMPTY_DICT
      case 'd': { // DICT
        auto items = pop_mark("DICT");
        if (items.size() % 2 != 0)
          fail("DICT with an odd number of values");
        push(make_container(node_kind::dict, std::move(items)));
        return;
      }
      case 's': { // SETITEM
        auto value = pop("SETITEM");
        auto key = pop("SETITEM");
        append_items(top_of("SETITEM", node_kind::dict), {key, value});
        return;
      }
      case 'u': { // SETITEMS
        auto items = pop_mark("SETITEMS");
        if (items.size() % 2 != 0)
          fail("SETITEMS with an odd number of values");
        append_items(top_of("SETITEMS", node_kind::dict), items);
        return;
      }
      case 0x8f: push(make_container(node_kind::set, {})); return; // EMPTY_SET
      case 0x90: { // ADDITEMS
        auto items = pop_mark("ADDITEMS");
        append_items(top_of("ADDITEMS", node_kind::set), items);
        return;
      }
      case 0x91: push(make_container(node_kind::frozenset, pop_mark("FROZENSET"))); return;
      case 0x94: memo_put(memo_size_, "MEMOIZE"); return;
      case 'q': memo_put(take_u8(), "BINPUT"); return;
      case 'r': memo_put(take_le(4), "LONG_BINPUT"); return;
      case 'h': memo_get(take_u8()); return;  // BINGET
      case 'j': memo_get(take_le(4)); return; // LONG_BINGET
      case 'c': { // GLOBAL
        auto module = take_line();
        auto name = take_line();
        push_global(std::move(module), std::move(name));
        return;
      }
      case 0x93: { // STACK_GLOBAL
        auto name_index = pop("STACK_GLOBAL");
        auto module_index = pop("STACK_GLOBAL");
        auto module = string_of(module_index, "STACK_GLOBAL's module");
        auto name = string_of(name_index, "STACK_GLOBAL's name");
        push_global(std::move(module), std::move(name));
        return;
      }
      case 'R': reduce(); return;
      case 0x81: newobj(); return;
      case 'b': build(); return;
      default: {
        char hex[8];
        std::snprintf(hex, sizeof hex, "0x%02x", op);
        fail(std::string{"opcode "} + hex + " at offset " + std::to_string(at)
             + " is not supported");
      }
    }
  }

  // -- the graph as json

  json to_json(std::uint32_t index, std::size_t depth) {
    if (depth > limits_.max_depth)
      fail("a value nested deeper than " + std::to_string(limits_.max_depth) + " (max_depth)");
    if (on_path_[index])
      fail("a value that contains itself (a cycle)");
    if (++emitted_ > limits_.max_values)
      fail("more than " + std::to_string(limits_.max_values)
           + " values in the result (max_values; a memo entry used many times)");
    node& n = nodes_[index];
    if (n.kind == node_kind::scalar) // moved out where it is used once
      return n.shared || inside_shared_ > 0 ? n.scalar : std::move(n.scalar);
    on_path_[index] = true;
    if (n.shared) // what it holds is used as often as it is
      ++inside_shared_;
    auto items = [&] {
      json::array_t out;
      out.reserve(n.items.size());
      for (auto item : n.items)
        out.push_back(to_json(item, depth + 1));
      return out;
    };
    json out;
    try {
      switch (n.kind) {
        case node_kind::scalar: break;
        case node_kind::list: out = items(); break;
        case node_kind::tuple: out = py_tuple_of(items()); break;
        case node_kind::set: out = py_set(items()); break;
        case node_kind::frozenset: out = py_frozenset(items()); break;
        case node_kind::dict: {
          auto flat = items();
          std::vector<std::pair<json, json>> pairs;
          pairs.reserve(flat.size() / 2);
          for (std::size_t i = 0; i + 1 < flat.size(); i += 2)
            pairs.emplace_back(std::move(flat[i]), std::move(flat[i + 1]));
          out = py_dict(std::move(pairs));
          break;
        }
        case node_kind::global:
          fail(std::string{"the global '"} + n.global->module + "." + n.global->name
               + "' as a value");
        case node_kind::token: {
          if (n.items.size() != 3)
            fail("a Token without its state");
          auto state = items();
          if (!state[0].is_string() || !state[2].is_string())
            fail("a Token whose typeid or id is not a str");
          out = py_token(std::move(state[0]), std::move(state[1]), std::move(state[2]));
          break;
        }
        case node_kind::proxy: {
          auto kwds = to_json(n.items[2], depth + 1);
          json exposed = nullptr;
          for (auto& [key, value] : py_dict_items(kwds)) {
            if (key != "exposed")
              fail("RebuildProxy with a keyword other than 'exposed'");
            exposed = std::move(value);
          }
          out = py_proxy(nodes_[n.items[0]].global->name, to_json(n.items[1], depth + 1),
                         std::move(exposed));
          break;
        }
        case node_kind::exception: {
          out = py_exception(std::string{n.global->module} + "." + n.global->name, items());
          if (n.state != no_node)
            out[payload_key]["state"] = to_json(n.state, depth + 1);
          break;
        }
        case node_kind::slice:
        case node_kind::range: {
          auto bounds = items();
          if (n.kind == node_kind::range) {
            if (bounds[1].is_null())
              fail("range() without a stop");
            for (auto& bound : bounds)
              if (!bound.is_null() && !bound.is_number_integer() && !is_py(bound, "int"))
                fail("range() of a " + python_type_name(bound));
            // range(stop) and range(start, stop) mean start 0 and step 1.
            if (bounds[0].is_null())
              bounds[0] = 0;
            if (bounds[2].is_null())
              bounds[2] = 1;
            if (bounds[2] == 0)
              fail("range() with step 0");
            out = py_range(std::move(bounds[0]), std::move(bounds[1]), std::move(bounds[2]));
          } else {
            out = py_slice(std::move(bounds[0]), std::move(bounds[1]), std::move(bounds[2]));
          }
          break;
        }
      }
    } catch (const TypeError& e) {
      fail(e.what()); // an unhashable dict key or set item
    }
    on_path_[index] = false;
    if (n.shared)
      --inside_shared_;
    return out;
  }

  const pickle_limits& limits_;
  const std::uint8_t* data_;
  std::size_t end_;
  std::size_t pos_ = 0;
  std::vector<node> nodes_;
  std::vector<std::uint32_t> stack_;
  std::vector<std::size_t> marks_;
  std::vector<std::uint32_t> memo_dense_;                     // no_node: unset
  std::unordered_map<std::uint64_t, std::uint32_t> memo_sparse_;
  std::size_t memo_size_ = 0;
  std::size_t inside_shared_ = 0; // to_json's depth within values fetched from the memo
  std::vector<bool> on_path_;
  std::size_t emitted_ = 0;
};

} // namespace

json pickle_reader::read(std::string_view pickle) const {
  if (flat_first_)
    if (auto flat = flat_pickle_reader{limits_}.read(pickle))
      return flat->tuple ? py_tuple_of(std::move(flat->items)) : std::move(flat->value);
  return reading{limits_, pickle}.run();
}

std::optional<json::array_t> pickle_reader::read_tuple(std::string_view pickle,
                                                       std::size_t untagged) const {
  if (flat_first_)
    if (auto flat = flat_pickle_reader{limits_}.read(pickle, untagged)) {
      if (!flat->tuple)
        return std::nullopt;
      return std::move(flat->items);
    }
  auto items = reading{limits_, pickle}.run_tuple();
  if (items && untagged < items->size() && is_py((*items)[untagged], "tuple")) {
    json payload = std::move((*items)[untagged][payload_key]);
    (*items)[untagged] = std::move(payload);
  }
  return items;
}

} // namespace mpactor::python

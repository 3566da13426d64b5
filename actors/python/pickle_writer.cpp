#include <mpactor/actors/python/pickle_writer.hpp>

#include <cmath>
#include <cstring>

#include <mpactor/actors/python/python_globals.hpp>
#include <mpactor/actors/python/python_int.hpp>
#include <mpactor/actors/python/python_value.hpp>

namespace mpactor::python {

namespace {

// Opcodes, as pickletools names them.
enum : char {
  MARK = '(',
  STOP = '.',
  NONE = 'N',
  NEWTRUE = '\x88',
  NEWFALSE = '\x89',
  BININT = 'J',
  BININT1 = 'K',
  BININT2 = 'M',
  LONG1 = '\x8a',
  LONG4 = '\x8b',
  BINFLOAT = 'G',
  SHORT_BINUNICODE = '\x8c',
  BINUNICODE = 'X',
  BINUNICODE8 = '\x8d',
  SHORT_BINBYTES = 'C',
  BINBYTES = 'B',
  BINBYTES8 = '\x8e',
  EMPTY_TUPLE = ')',
  TUPLE1 = '\x85',
  TUPLE = 't',
  EMPTY_LIST = ']',
  APPENDS = 'e',
  EMPTY_DICT = '}',
  SETITEMS = 'u',
  EMPTY_SET = '\x8f',
  ADDITEMS = '\x90',
  FROZENSET = '\x91',
  STACK_GLOBAL = '\x93',
  REDUCE = 'R',
  NEWOBJ = '\x81',
  BUILD = 'b',
  PROTO = '\x80',
};

// Items per APPENDS/SETITEMS/ADDITEMS batch, as CPython's pickler writes.
constexpr std::size_t batch = 1000;

class writing {
public:
  writing(std::size_t max_depth, std::string& out) : max_depth_(max_depth), out_(out) {
    // nop
  }

  void run(const json& value) {
    out_ += PROTO;
    out_ += static_cast<char>(pickle_writer::protocol);
    write(value, 0);
    out_ += STOP;
  }

  // As run(py_tuple(first, second)) writes it.
  void run_pair(std::string_view first, const json& second) {
    out_ += PROTO;
    out_ += static_cast<char>(pickle_writer::protocol);
    sized(SHORT_BINUNICODE, BINUNICODE, BINUNICODE8, first.data(), first.size());
    write(second, 1);
    out_ += static_cast<char>(TUPLE1 + 1);
    out_ += STOP;
  }

private:
  void le(std::uint64_t v, int width) {
    for (int i = 0; i < width; ++i)
      out_ += static_cast<char>((v >> (8 * i)) & 0xff);
  }

  void sized(char op1, char op4, char op8, const void* data, std::size_t n) {
    if (n < 256) {
      out_ += op1;
      le(n, 1);
    } else if (n <= 0xffffffffu) {
      out_ += op4;
      le(n, 4);
    } else {
      out_ += op8;
      le(n, 8);
    }
    out_.append(static_cast<const char*>(data), n);
  }

  void str(const std::string& s) {
    sized(SHORT_BINUNICODE, BINUNICODE, BINUNICODE8, s.data(), s.size());
  }

  void bytes(const std::vector<std::uint8_t>& b) {
    sized(SHORT_BINBYTES, BINBYTES, BINBYTES8, b.data(), b.size());
  }

  void global(const char* module, const char* name) {
    str(module);
    str(name);
    out_ += STACK_GLOBAL;
  }

  void integer(std::int64_t v) {
    if (v >= 0 && v < 256) {
      out_ += BININT1;
      le(static_cast<std::uint64_t>(v), 1);
    } else if (v >= 0 && v < 65536) {
      out_ += BININT2;
      le(static_cast<std::uint64_t>(v), 2);
    } else if (v >= INT32_MIN && v <= INT32_MAX) {
      out_ += BININT;
      le(static_cast<std::uint64_t>(v), 4);
    } else {
      big_integer(std::to_string(v));
    }
  }

  void big_integer(const std::string& decimal) {
    auto b = twos_complement_from_decimal(decimal);
    if (!b)
      throw ValueError("a tagged int whose text is not a decimal: '" + decimal + "'");
    if (b->size() < 256) {
      out_ += LONG1;
      le(b->size(), 1);
    } else {
      out_ += LONG4;
      le(b->size(), 4);
    }
    out_.append(reinterpret_cast<const char*>(b->data()), b->size());
  }

  void real(double x) {
    std::uint64_t bits;
    std::memcpy(&bits, &x, sizeof bits);
    out_ += BINFLOAT;
    for (int i = 7; i >= 0; --i)
      out_ += static_cast<char>((bits >> (8 * i)) & 0xff);
  }

  void tuple(const json& items, std::size_t depth) {
    if (items.empty()) {
      out_ += EMPTY_TUPLE;
      return;
    }
    if (items.size() <= 3) {
      for (const auto& item : items)
        write(item, depth + 1);
      out_ += static_cast<char>(TUPLE1 + items.size() - 1);
      return;
    }
    out_ += MARK;
    for (const auto& item : items)
      write(item, depth + 1);
    out_ += TUPLE;
  }

  // MARK items ADDITEMS/APPENDS in batches; `flat` writes pairs for dicts.
  template <class Range, class Write>
  void batched(const Range& items, char op, Write&& write_one) {
    std::size_t in_batch = 0;
    for (const auto& item : items) {
      if (in_batch == 0)
        out_ += MARK;
      write_one(item);
      if (++in_batch == batch) {
        out_ += op;
        in_batch = 0;
      }
    }
    if (in_batch != 0)
      out_ += op;
  }

  const json& payload(const json& tagged, json::value_t type, const char* kind) {
    const auto& p = tagged.at(payload_key);
    if (p.type() != type)
      throw TypeError(std::string{"a tagged "} + kind + " with a payload of the wrong type");
    return p;
  }

  const json& member(const json& object, const char* name, const char* kind) {
    auto found = object.find(name);
    if (found == object.end())
      throw TypeError(std::string{"a tagged "} + kind + " without '" + name + "'");
    return *found;
  }

  void token(const json& state, std::size_t depth) {
    global("multiprocessing.managers", "Token");
    out_ += EMPTY_TUPLE;
    out_ += NEWOBJ;
    auto tuple_state = json::array({member(state, "typeid", "token"),
                                    member(state, "address", "token"), member(state, "id", "token")});
    tuple(tuple_state, depth);
    out_ += BUILD;
  }

  void tagged(const json& value, std::string_view kind, std::size_t depth) {
    using vt = json::value_t;
    if (kind == "int") {
      big_integer(payload(value, vt::string, "int").get<std::string>());
    } else if (kind == "tuple") {
      tuple(payload(value, vt::array, "tuple"), depth);
    } else if (kind == "dict") {
      for (const auto& [key, item] : py_dict_items(value))
        python_key(key); // Python could not load an unhashable key
      out_ += EMPTY_DICT;
      batched(payload(value, vt::array, "dict"), SETITEMS, [&](const json& pair) {
        write(pair[0], depth + 1);
        write(pair[1], depth + 1);
      });
    } else if (kind == "set" || kind == "frozenset") {
      const auto& items = payload(value, vt::array, "set");
      for (const auto& item : items)
        python_key(item);
      if (kind == "set") {
        out_ += EMPTY_SET;
        batched(items, ADDITEMS, [&](const json& item) { write(item, depth + 1); });
      } else {
        out_ += MARK;
        for (const auto& item : items)
          write(item, depth + 1);
        out_ += FROZENSET;
      }
    } else if (kind == "bytearray") {
      global("builtins", "bytearray");
      bytes(payload(value, vt::binary, "bytearray").get_binary());
      out_ += TUPLE1;
      out_ += REDUCE;
    } else if (kind == "slice" || kind == "range") {
      const auto& bounds = payload(value, vt::array, "slice");
      if (bounds.size() != 3)
        throw TypeError("a tagged " + std::string{kind} + " without [start, stop, step]");
      global("builtins", kind == "slice" ? "slice" : "range");
      tuple(bounds, depth);
      out_ += REDUCE;
    } else if (kind == "token") {
      token(payload(value, vt::object, "token"), depth);
    } else if (kind == "proxy") {
      const auto& state = payload(value, vt::object, "proxy");
      const auto& type = member(state, "proxytype", "proxy");
      auto entry = type.is_string()
                     ? find_python_global("multiprocessing.managers", type.get<std::string>())
                     : nullptr;
      if (entry == nullptr || entry->what != python_global::role::proxy_class)
        throw ValueError("a proxy of an unknown proxy class: " + type.dump());
      const auto& token_value = member(state, "token", "proxy");
      if (!is_py(token_value, "token"))
        throw TypeError("a tagged proxy whose token is not a tagged token");
      global("multiprocessing.managers", "RebuildProxy");
      out_ += MARK;
      global("multiprocessing.managers", entry->name);
      token(token_value.at(payload_key), depth + 1);
      str("pickle");
      out_ += EMPTY_DICT;
      auto exposed = state.find("exposed");
      if (exposed != state.end() && !exposed->is_null()) {
        out_ += MARK;
        str("exposed");
        write(*exposed, depth + 1);
        out_ += SETITEMS;
      }
      out_ += TUPLE;
      out_ += REDUCE;
    } else if (kind == "exception") {
      const auto& state = payload(value, vt::object, "exception");
      const auto& type = member(state, "type", "exception");
      const auto& args = member(state, "args", "exception");
      auto text = type.is_string() ? type.get<std::string>() : std::string{};
      auto dot = text.rfind('.');
      auto entry = dot == std::string::npos
                     ? nullptr
                     : find_python_global(text.substr(0, dot), text.substr(dot + 1));
      if (entry == nullptr || entry->what != python_global::role::exception_class)
        throw ValueError("an exception of an unknown class: " + type.dump());
      if (!args.is_array())
        throw TypeError("a tagged exception whose args are not an array");
      global(entry->module, entry->name);
      tuple(args, depth);
      out_ += REDUCE;
      auto extra = state.find("state");
      if (extra != state.end() && !extra->is_null()) {
        if (!is_py_dict(*extra))
          throw TypeError("a tagged exception whose state is not a dict");
        write(*extra, depth + 1);
        out_ += BUILD;
      }
    }
  }

  void write(const json& value, std::size_t depth) {
    if (depth > max_depth_)
      throw ValueError("a value nested deeper than " + std::to_string(max_depth_));
    switch (value.type()) {
      case json::value_t::null: out_ += NONE; return;
      case json::value_t::boolean: out_ += value.get<bool>() ? NEWTRUE : NEWFALSE; return;
      case json::value_t::number_integer: integer(value.get<std::int64_t>()); return;
      case json::value_t::number_unsigned: {
        auto v = value.get<std::uint64_t>();
        if (v <= static_cast<std::uint64_t>(INT64_MAX))
          integer(static_cast<std::int64_t>(v));
        else
          big_integer(std::to_string(v));
        return;
      }
      case json::value_t::number_float: real(value.get<double>()); return;
      case json::value_t::string: str(value.get_ref<const std::string&>()); return;
      case json::value_t::binary: bytes(value.get_binary()); return;
      case json::value_t::array:
        out_ += EMPTY_LIST;
        batched(value, APPENDS, [&](const json& item) { write(item, depth + 1); });
        return;
      case json::value_t::object: {
        auto kind = py_kind(value);
        if (!kind.empty()) {
          tagged(value, kind, depth);
          return;
        }
        if (value.contains(tag_key))
          throw TypeError("an object with a '" + std::string{tag_key}
                          + "' member that is not a valid tag");
        out_ += EMPTY_DICT;
        batched(value.items(), SETITEMS, [&](const auto& item) {
          str(item.key());
          write(item.value(), depth + 1);
        });
        return;
      }
      default:
        throw TypeError("a json value of no Python type");
    }
  }

  std::size_t max_depth_;
  std::string& out_;
};

} // namespace

std::string pickle_writer::write(const json& value) const {
  std::string out;
  write(value, out);
  return out;
}

void pickle_writer::write(const json& value, std::string& out) const {
  std::string pickle;
  writing{max_depth_, pickle}.run(value);
  out += pickle;
}

void pickle_writer::write_pair(std::string_view first, const json& second,
                               std::string& out) const {
  auto size = out.size();
  try {
    writing{max_depth_, out}.run_pair(first, second);
  } catch (...) {
    out.resize(size);
    throw;
  }
}

} // namespace mpactor::python

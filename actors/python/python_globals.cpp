#include <mpactor/actors/python/python_globals.hpp>

namespace mpactor::python {

namespace {

constexpr python_global table[] = {
  {"builtins", "bytearray", python_global::role::bytearray_class},
  {"builtins", "bytes", python_global::role::bytes_class},
  {"_codecs", "encode", python_global::role::codecs_encode},
  {"builtins", "set", python_global::role::set_class},
  {"builtins", "frozenset", python_global::role::frozenset_class},
  {"builtins", "list", python_global::role::list_class},
  {"builtins", "slice", python_global::role::slice_class},
  {"builtins", "range", python_global::role::range_class},
  {"multiprocessing.managers", "Token", python_global::role::token_class},
  {"multiprocessing.managers", "RebuildProxy", python_global::role::rebuild_proxy},
  {"multiprocessing.managers", "AutoProxy", python_global::role::proxy_class},
  {"multiprocessing.managers", "BaseProxy", python_global::role::proxy_class},
  {"multiprocessing.managers", "IteratorProxy", python_global::role::proxy_class},
  {"multiprocessing.managers", "AcquirerProxy", python_global::role::proxy_class},
  {"multiprocessing.managers", "ConditionProxy", python_global::role::proxy_class},
  {"multiprocessing.managers", "EventProxy", python_global::role::proxy_class},
  {"multiprocessing.managers", "BarrierProxy", python_global::role::proxy_class},
  {"multiprocessing.managers", "NamespaceProxy", python_global::role::proxy_class},
  {"multiprocessing.managers", "ValueProxy", python_global::role::proxy_class},
  {"multiprocessing.managers", "ListProxy", python_global::role::proxy_class},
  {"multiprocessing.managers", "DictProxy", python_global::role::proxy_class},
  {"multiprocessing.managers", "ArrayProxy", python_global::role::proxy_class},
  {"multiprocessing.managers", "PoolProxy", python_global::role::proxy_class},
  {"multiprocessing.managers", "SetProxy", python_global::role::proxy_class},
  {"multiprocessing.managers", "RemoteError", python_global::role::exception_class},
  {"multiprocessing.context", "ProcessError", python_global::role::exception_class},
  {"multiprocessing.context", "BufferTooShort", python_global::role::exception_class},
  {"multiprocessing.context", "TimeoutError", python_global::role::exception_class},
  {"multiprocessing.context", "AuthenticationError", python_global::role::exception_class},
  {"_queue", "Empty", python_global::role::exception_class},
  {"queue", "Empty", python_global::role::exception_class},
  {"queue", "Full", python_global::role::exception_class},
  {"threading", "BrokenBarrierError", python_global::role::exception_class},
  {"builtins", "BaseException", python_global::role::exception_class},
  {"builtins", "Exception", python_global::role::exception_class},
  {"builtins", "ArithmeticError", python_global::role::exception_class},
  {"builtins", "AssertionError", python_global::role::exception_class},
  {"builtins", "AttributeError", python_global::role::exception_class},
  {"builtins", "BrokenPipeError", python_global::role::exception_class},
  {"builtins", "BufferError", python_global::role::exception_class},
  {"builtins", "ConnectionError", python_global::role::exception_class},
  {"builtins", "ConnectionRefusedError", python_global::role::exception_class},
  {"builtins", "ConnectionResetError", python_global::role::exception_class},
  {"builtins", "EOFError", python_global::role::exception_class},
  {"builtins", "FileNotFoundError", python_global::role::exception_class},
  {"builtins", "IndexError", python_global::role::exception_class},
  {"builtins", "KeyError", python_global::role::exception_class},
  {"builtins", "LookupError", python_global::role::exception_class},
  {"builtins", "MemoryError", python_global::role::exception_class},
  {"builtins", "NameError", python_global::role::exception_class},
  {"builtins", "NotImplementedError", python_global::role::exception_class},
  {"builtins", "OSError", python_global::role::exception_class},
  {"builtins", "OverflowError", python_global::role::exception_class},
  {"builtins", "PermissionError", python_global::role::exception_class},
  {"builtins", "RecursionError", python_global::role::exception_class},
  {"builtins", "RuntimeError", python_global::role::exception_class},
  {"builtins", "StopIteration", python_global::role::exception_class},
  {"builtins", "TimeoutError", python_global::role::exception_class},
  {"builtins", "TypeError", python_global::role::exception_class},
  {"builtins", "ValueError", python_global::role::exception_class},
  {"builtins", "ZeroDivisionError", python_global::role::exception_class},
};


} // namespace

const python_global* find_python_global(const std::string& module, const std::string& name) {
  const std::string& python3 =
    (module == "__builtin__" || module == "exceptions") ? std::string{"builtins"} : module;
  const std::string& python3_name =
    (python3 == "builtins" && name == "xrange") ? std::string{"range"} : name;
  for (const auto& entry : table)
    if (python3 == entry.module && python3_name == entry.name)
      return &entry;
  return nullptr;
}

} // namespace mpactor::python

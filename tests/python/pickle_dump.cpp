// pickle_dump: prints "<name> <hex>" for each value of pickle_values.hpp,
// the hex being the C++ pickle_writer's pickle of it. check_pickle_writer.py
// loads each with CPython's pickle and compares it to its Python twin.

#include <cstdio>

#include <mpactor/actors/python/pickle_writer.hpp>

#include "pickle_values.hpp"

int main() {
  mpactor::python::pickle_writer writer;
  for (const auto& [name, value] : mpactor::python::testing::pickle_values()) {
    std::printf("%s ", name.c_str());
    for (unsigned char c : writer.write(value))
      std::printf("%02x", c);
    std::printf("\n");
  }
}

// named_value: two unrelated programs share a Value and an Array by name.
//
// Without arguments this program starts itself twice, as a writer and as a
// reader: two separate programs (exec'd, nothing inherited) that open the
// same named Value<long> and Array<double> (open_or_create: whichever starts
// first creates them) and each add 1 to the value and to its own array
// element 1000 times. Then it prints the totals and unlinks the names.
// The modes can also be run by hand from two terminals:
//
//   ./named_value writer NAME    ./named_value reader NAME
//   ./named_value show NAME      ./named_value unlink NAME

#include <cstdio>
#include <cstring>
#include <string>
#include <unistd.h>

#include <spawn.h>
#include <sys/wait.h>

#include <mpactor/mpactor.hpp>

extern char** environ;

namespace {

constexpr int rounds = 1000;

void add(const std::string& name, std::size_t slot) {
  auto counter = mpactor::Value<long>::open_or_create(name + ".counter", 0);
  auto array = mpactor::Array<double>::open_or_create(name + ".array", 3);
  for (int i = 0; i < rounds; ++i) {
    counter += 1;
    array[slot] += 1.0;
  }
  std::printf("%s: added %d to '%s.counter' and to '%s.array'[%zu]\n",
              slot == 0 ? "writer" : "reader", rounds, name.c_str(),
              name.c_str(), slot);
}

void show(const std::string& name) {
  auto counter = mpactor::Value<long>::open(name + ".counter");
  auto array = mpactor::Array<double>::open(name + ".array");
  auto xs = array.to_vector();
  std::printf("counter: %ld\n", counter.value());
  std::printf("array:   [%.1f, %.1f, %.1f]\n", xs[0], xs[1], xs[2]);
}

pid_t spawn_self(const char* mode, const std::string& name) {
  std::fflush(nullptr);
  char self[4096];
  auto n = readlink("/proc/self/exe", self, sizeof(self) - 1);
  if (n <= 0)
    return -1;
  self[n] = '\0';
  char* argv[] = {self, const_cast<char*>(mode), const_cast<char*>(name.c_str()), nullptr};
  pid_t pid = -1;
  if (posix_spawn(&pid, self, nullptr, nullptr, argv, environ) != 0)
    return -1;
  return pid;
}

bool wait_ok(pid_t pid) {
  int status = 0;
  return pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status)
         && WEXITSTATUS(status) == 0;
}

} // namespace

int main(int argc, char** argv) {
  try {
    if (argc == 3) {
      std::string mode = argv[1], name = argv[2];
      if (mode == "writer") add(name, 0);
      else if (mode == "reader") add(name, 1);
      else if (mode == "show") show(name);
      else if (mode == "unlink") {
        mpactor::Value<long>::unlink(name + ".counter");
        mpactor::Array<double>::unlink(name + ".array");
      } else {
        std::fprintf(stderr, "unknown mode '%s'\n", mode.c_str());
        return 2;
      }
      return 0;
    }
    auto name = "named_value_demo." + std::to_string(getpid());
    auto writer = spawn_self("writer", name);
    auto reader = spawn_self("reader", name);
    bool ok = wait_ok(writer) & wait_ok(reader);
    if (ok)
      show(name);
    mpactor::Value<long>::unlink(name + ".counter");
    mpactor::Array<double>::unlink(name + ".array");
    return ok ? 0 : 1;
  } catch (const mpactor::Error& e) {
    std::fprintf(stderr, "named_value: %s\n", e.what());
    return 1;
  }
}

// word_count: the most frequent words of a directory's text files, counted
// by worker processes that are CAF actors, merged on the manager node.
//
//   word_count [DIR] [--workers N] [--top N] [--single]
//
// DIR defaults to /usr/share/common-licenses. A progress bar is drawn on the
// terminal (stderr) while it runs; --single counts in this process instead,
// for comparison. See word_count.hpp for how the parts fit together.

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

#include <unistd.h>

#include "word_count.hpp"

namespace {

void draw_bar(std::int64_t done, std::int64_t total) {
  constexpr int width = 40;
  int filled = total > 0 ? static_cast<int>(width * done / total) : width;
  std::string bar(static_cast<std::size_t>(filled), '#');
  bar.resize(width, '.');
  std::fprintf(stderr, "\r[%s] %lld/%lld files", bar.c_str(), static_cast<long long>(done),
               static_cast<long long>(total));
  std::fflush(stderr);
}

int usage(const char* self) {
  std::fprintf(stderr, "usage: %s [DIR] [--workers N] [--top N] [--single]\n", self);
  return 2;
}

} // namespace

int main(int argc, char** argv) {
  std::string dir = "/usr/share/common-licenses";
  int workers = 4;
  std::size_t top = 20;
  bool single = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if ((a == "--workers" || a == "--top") && i + 1 < argc) {
      char* end = nullptr;
      long v = std::strtol(argv[++i], &end, 10);
      if (*end != '\0' || v < 1 || v > 1024)
        return usage(argv[0]);
      if (a == "--workers")
        workers = static_cast<int>(v);
      else
        top = static_cast<std::size_t>(v);
    } else if (a == "--single") {
      single = true;
    } else if (!a.empty() && a[0] != '-') {
      dir = a;
    } else {
      return usage(argv[0]);
    }
  }
  try {
    auto files = word_count::text_files(dir);
    if (single)
      std::printf("word_count: %zu files in %s, counted in this process\n", files.size(),
                  dir.c_str());
    else
      std::printf("word_count: %zu files in %s, %d worker processes\n", files.size(),
                  dir.c_str(), workers);
    std::fflush(stdout);
    auto start = std::chrono::steady_clock::now();
    word_count::counts counts;
    if (single) {
      counts = word_count::count_single(files);
    } else {
      word_count::options opts;
      opts.workers = workers;
      bool tty = isatty(STDERR_FILENO) != 0;
      if (tty)
        opts.on_progress = draw_bar;
      counts = word_count::count_parallel(files, opts);
      if (tty)
        std::fprintf(stderr, "\n");
    }
    double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::int64_t words = 0;
    for (auto& [w, n] : counts)
      words += n;
    std::printf("%lld words, %zu distinct, in %.2f s\n", static_cast<long long>(words),
                counts.size(), seconds);
    std::printf("top %zu words:\n", top);
    int rank = 0;
    for (auto& [w, n] : word_count::top_words(counts, top))
      std::printf("%4d. %-16s %lld\n", ++rank, w.c_str(), static_cast<long long>(n));
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "word_count: %s\n", e.what());
    return 1;
  }
}

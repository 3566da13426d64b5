// bench_word_count: examples/word_count's speedup for 1, 2 and 4 workers
// and its overhead against the single-process count of the same files.
//
//   bench_word_count [COPIES] [ROUNDS]
//
// Two corpora of COPIES (default 100) copies of /usr/share/common-licenses
// (of the repository's test texts where that is missing) in a temporary
// directory: the files as they are, and each copy joined into one file.
// Each round times the single-process count and the parallel count with 1,
// 2 and 4 worker processes, interleaved; the tables show the medians. Every parallel count is checked against the single one. The
// parallel times include starting the manager and the worker processes.

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

#include <unistd.h>

#include "side_by_side.hpp"
#include "word_count.hpp"

namespace fs = std::filesystem;

namespace {

// COPIES copies of the license texts: as they are (many files of about
// 16 KB, where the per-file messages weigh), or each copy joined into one
// file (few files of about 260 KB, where counting weighs).
struct corpus {
  fs::path dir;
  std::uintmax_t bytes = 0;

  corpus(int copies, bool joined) {
    fs::path source = "/usr/share/common-licenses";
    if (!fs::is_directory(source))
      source = MPACTOR_SOURCE_DIR "/tests/examples";
    char tmpl[] = "/tmp/bench_word_count.XXXXXX";
    dir = mkdtemp(tmpl);
    std::string all;
    for (auto& f : word_count::text_files(source.string())) {
      std::ifstream in(f, std::ios::binary);
      all.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
      all.push_back('\n');
    }
    for (int i = 0; i < copies; ++i) {
      if (joined)
        std::ofstream(dir / ("joined" + std::to_string(i) + ".txt"), std::ios::binary) << all;
      else
        fs::copy(source, dir / std::to_string(i), fs::copy_options::recursive);
    }
    for (auto& e : fs::recursive_directory_iterator(dir))
      if (e.is_regular_file())
        bytes += e.file_size();
  }
  ~corpus() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};

void run(const char* title, const corpus& c, int rounds) {
  auto files = word_count::text_files(c.dir.string());
  std::printf("\n%s: %zu files, %.1f MB; %d rounds, medians\n", title, files.size(),
              static_cast<double>(c.bytes) / 1e6, rounds);
  const std::vector<int> workers{1, 2, 4};
  std::vector<double> single;
  std::vector<std::vector<double>> parallel(workers.size());
  for (int r = 0; r < rounds; ++r) {
    auto t0 = bench::clock_type::now();
    auto expected = word_count::count_single(files);
    single.push_back(bench::seconds_since(t0));
    for (std::size_t i = 0; i < workers.size(); ++i) {
      word_count::options opts;
      opts.workers = workers[i];
      auto t1 = bench::clock_type::now();
      auto got = word_count::count_parallel(files, opts);
      parallel[i].push_back(bench::seconds_since(t1));
      if (got != expected)
        throw std::runtime_error("a parallel count differs from the single-process count");
    }
  }
  auto base = bench::median(single);
  std::printf("\n| count | seconds | MB/s | vs single process |\n|---|---|---|---|\n");
  std::printf("| single process | %.3f | %.0f | anchor |\n", base,
              static_cast<double>(c.bytes) / 1e6 / base);
  for (std::size_t i = 0; i < workers.size(); ++i) {
    auto t = bench::median(parallel[i]);
    std::printf("| %d worker%s | %.3f | %.0f | %s |\n", workers[i], workers[i] > 1 ? "s" : "",
                t, static_cast<double>(c.bytes) / 1e6 / t,
                bench::ratio("speedup", base, t).c_str());
  }
  std::printf("\noverhead of 1 worker against the single-process count: %s\n",
              bench::ratio("the time", bench::median(parallel[0]), base).c_str());
}

} // namespace

int main(int argc, char** argv) {
  int copies = argc > 1 ? std::atoi(argv[1]) : 100;
  int rounds = argc > 2 ? std::atoi(argv[2]) : 3;
  if (copies < 1 || rounds < 1) {
    std::fprintf(stderr, "usage: %s [COPIES] [ROUNDS]\n", argv[0]);
    return 2;
  }
  run("many small files (the license texts as they are)", corpus{copies, false}, rounds);
  run("few large files (each copy of the texts joined)", corpus{copies, true}, rounds);
  std::printf("cores here: %ld\n", sysconf(_SC_NPROCESSORS_ONLN));
  return 0;
}

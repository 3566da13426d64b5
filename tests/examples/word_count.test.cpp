// word_count's parallel count (worker processes as CAF actors, merged by an
// actor on the manager node) against a single-process count made here
// another way (std::regex), on real text files and on files of known counts.

#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include "word_count.hpp"

namespace fs = std::filesystem;

namespace {

// The reference count: every [A-Za-z]+ match, lowercased.
word_count::counts regex_count(const std::vector<std::string>& files) {
  static const std::regex word{"[A-Za-z]+"};
  word_count::counts out;
  for (auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    auto s = text.str();
    for (auto it = std::sregex_iterator(s.begin(), s.end(), word); it != std::sregex_iterator();
         ++it) {
      auto w = it->str();
      for (auto& c : w)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      ++out[w];
    }
  }
  return out;
}

// A fresh directory, removed on destruction.
struct temp_dir {
  fs::path path;
  temp_dir() {
    char tmpl[] = "/tmp/word_count_test.XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~temp_dir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string file(const std::string& name, const std::string& text) const {
    auto p = path / name;
    std::ofstream(p) << text;
    return p.string();
  }
};

} // namespace

TEST_CASE("word_count: the parallel count of the license texts equals a single-process count") {
  std::string dir = "/usr/share/common-licenses";
  temp_dir fallback; // a machine without the license texts counts this file's sources
  if (!fs::is_directory(dir)) {
    dir = fallback.path.string();
    fs::copy(MPACTOR_SOURCE_DIR "/tests/examples", dir, fs::copy_options::recursive);
  }
  auto files = word_count::text_files(dir);
  REQUIRE(files.size() > 2);
  word_count::options opts;
  opts.workers = 3;
  opts.batch_words = 300; // many merges per worker
  auto got = word_count::count_parallel(files, opts);
  auto expected = regex_count(files);
  CHECK(got.size() == expected.size());
  CHECK(got == expected);
  CHECK(word_count::count_single(files) == expected);
}

TEST_CASE("word_count: files of known counts with one worker and with more workers than files") {
  temp_dir d;
  std::vector<std::string> files;
  std::int64_t alphas = 0;
  for (int i = 1; i <= 12; ++i) {
    std::string text;
    for (int k = 0; k < i; ++k)
      text += "alpha, ";
    text += "Beta beta\nGAMMA-" + std::to_string(i) + "\n";
    alphas += i;
    files.push_back(d.file("f" + std::to_string(i) + ".txt", text));
  }
  for (int workers : {1, 16}) {
    word_count::options opts;
    opts.workers = workers;
    opts.batch_words = 1; // a merge after every file
    auto got = word_count::count_parallel(files, opts);
    CHECK(got.size() == 3);
    CHECK(got["alpha"] == alphas);
    CHECK(got["beta"] == 24);
    CHECK(got["gamma"] == 12);
  }
  auto top = word_count::top_words(word_count::count_single(files), 2);
  REQUIRE(top.size() == 2);
  CHECK(top[0] == std::make_pair(std::string{"alpha"}, alphas));
  CHECK(top[1] == std::make_pair(std::string{"beta"}, std::int64_t{24}));
}

TEST_CASE("word_count: progress rises to the number of files") {
  temp_dir d;
  std::vector<std::string> files;
  for (int i = 0; i < 40; ++i)
    files.push_back(d.file("f" + std::to_string(i), "one two three " + std::to_string(i)));
  std::vector<std::pair<std::int64_t, std::int64_t>> seen;
  word_count::options opts;
  opts.workers = 2;
  opts.batch_words = 1;
  opts.on_progress = [&](std::int64_t done, std::int64_t total) { seen.emplace_back(done, total); };
  auto got = word_count::count_parallel(files, opts);
  CHECK(got["two"] == 40);
  REQUIRE_FALSE(seen.empty());
  for (std::size_t i = 1; i < seen.size(); ++i)
    CHECK(seen[i].first >= seen[i - 1].first);
  CHECK(seen.back() == std::make_pair(std::int64_t{40}, std::int64_t{40}));
}

TEST_CASE("word_count: a file that cannot be read fails the count instead of hanging it") {
  temp_dir d;
  std::vector<std::string> files{d.file("ok.txt", "fine words"),
                                 (d.path / "missing.txt").string()};
  word_count::options opts;
  opts.workers = 2;
  CHECK_THROWS_AS(word_count::count_parallel(files, opts), std::runtime_error);
  CHECK_THROWS_AS(word_count::text_files((d.path / "nowhere").string()), std::runtime_error);
  opts.workers = 0;
  CHECK_THROWS_AS(word_count::count_parallel(files, opts), std::invalid_argument);
}

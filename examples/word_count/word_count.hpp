#pragma once

// word_count: a parallel word-frequency counter built on mpactor's actors.
//
//   parent                         manager node (server process)
//   ------                         -----------------------------
//   JoinableQueue of file paths ->  [queue]          (in chunks of paths)
//   N worker processes, each a  ->  [word_merger actor] -> [dict]  word totals
//   CAF actor: get a path,                             -> [Value] files done
//   count its words, send the
//   counts in batches to the merger, task_done()
//
// Queue items are chunks of paths (as Pool.map's chunksize), so that a small
// file does not cost a get and a task_done of its own. Workers are CAF
// actors that never block: each step is a request to a managed object's
// handle (queue get, merge, task_done) whose then() makes the next; two gets
// are in flight, so a chunk arrives while another is counted. The merger is
// a user actor spawned on the manager node beside the dict and the progress
// Value: the only writer of both, so adding a batch needs no lock and no
// read back over the network. The parent draws a progress bar from the
// Value until join() returns (every chunk merged), then stops the workers
// with nulls.

#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace word_count {

using counts = std::unordered_map<std::string, std::int64_t>;

/// The regular files under `dir` (recursively), sorted. std::runtime_error
/// if `dir` is not a readable directory.
std::vector<std::string> text_files(const std::string& dir);

/// Adds the words of `text` to `out`: runs of ASCII letters, lowercased.
void count_text(const std::string& text, counts& out);

/// Adds the words of file `path` to `out`; std::runtime_error if it cannot be read.
void count_file(const std::string& path, counts& out);

/// Counts `files` in this process, one after the other.
counts count_single(const std::vector<std::string>& files);

struct options {
  int workers = 4;
  /// A worker merges its counts once it has this many distinct words or
  /// has counted this many files since its last merge.
  std::size_t batch_words = 4096;
  std::int64_t batch_files = 64;
  /// Paths per queue item (0: the files / (16 x workers), at least 1; as
  /// Pool.map's chunksize, so that small files do not cost a get and a
  /// task_done each).
  std::size_t files_per_item = 0;
  /// Called in the parent with (files merged, files) while the count runs.
  std::function<void(std::int64_t, std::int64_t)> on_progress;
};

/// Counts `files` with a manager and `opts.workers` worker processes.
counts count_parallel(const std::vector<std::string>& files, const options& opts);

/// The `n` most frequent words, most frequent first (ties: alphabetical).
std::vector<std::pair<std::string, std::int64_t>> top_words(const counts& c, std::size_t n);

} // namespace word_count

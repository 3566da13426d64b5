#include "word_count.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <caf/all.hpp>

#include <mpactor/mpactor.hpp>

namespace word_count {

using mpactor::call_atom;
using mpactor::json;

std::vector<std::string> text_files(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw std::runtime_error("not a directory: " + dir);
  std::vector<std::string> out;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec))
    if (it->is_regular_file(ec))
      out.push_back(it->path().string());
  if (ec)
    throw std::runtime_error("cannot list " + dir + ": " + ec.message());
  std::sort(out.begin(), out.end());
  return out;
}

void count_text(const std::string& text, counts& out) {
  std::string word;
  for (char ch : text) {
    // ASCII by hand: isalpha/tolower are calls into the C locale.
    if (ch >= 'a' && ch <= 'z') {
      word.push_back(ch);
    } else if (ch >= 'A' && ch <= 'Z') {
      word.push_back(static_cast<char>(ch - 'A' + 'a'));
    } else if (!word.empty()) {
      ++out[word];
      word.clear();
    }
  }
  if (!word.empty())
    ++out[word];
}

void count_file(const std::string& path, counts& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw std::runtime_error("cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  count_text(text.str(), out);
}

counts count_single(const std::vector<std::string>& files) {
  counts out;
  for (auto& f : files)
    count_file(f, out);
  return out;
}

std::vector<std::pair<std::string, std::int64_t>> top_words(const counts& c, std::size_t n) {
  std::vector<std::pair<std::string, std::int64_t>> all(c.begin(), c.end());
  auto order = [](const auto& x, const auto& y) {
    return x.second != y.second ? x.second > y.second : x.first < y.first;
  };
  n = std::min(n, all.size());
  std::partial_sort(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(n), all.end(), order);
  all.resize(n);
  return all;
}

namespace {

// --- the merger: a user actor on the manager node -----------------------------

// ("merge", {"counts": {word: n}, "files": k}) adds a batch. It keeps the
// totals itself (it is the dict's only writer) and writes the new totals of
// the batch's words with one update; requests to one actor arrive in the
// order sent, so later totals always win. It answers once the dict and the
// progress Value hold the batch, so a worker's task_done() after that
// answer means "merged".
caf::behavior merger(caf::event_based_actor* self, mpactor::actor_context& ctx,
                     const json& args) {
  auto dict = ctx.actor_of(args.at("counts"));
  auto progress = ctx.actor_of(args.at("progress"));
  auto totals = std::make_shared<counts>();
  auto files = std::make_shared<std::int64_t>(0);
  return {
    [=](call_atom, const std::string& method, json& a) -> caf::result<caf::message> {
      if (method != "merge")
        return mpactor::make_error(mpactor::error_code::attribute_error,
                                   "word_merger has no method '" + method + "'");
      auto batch = a.find("counts");
      if (batch == a.end() || !batch->is_object())
        return mpactor::make_error(mpactor::error_code::type_error,
                                   "merge needs \"counts\": an object of word counts");
      json changed = json::object();
      for (auto& [word, n] : batch->items()) {
        if (!n.is_number_integer())
          return mpactor::make_error(mpactor::error_code::type_error,
                                     "the count of '" + word + "' is not an integer");
        auto& total = (*totals)[word];
        total += n.get<std::int64_t>();
        changed[word] = total;
      }
      *files += a.value("files", std::int64_t{0});
      auto done = *files;
      auto rp = self->make_response_promise();
      auto fail = [rp](caf::error& e) mutable { rp.deliver(std::move(e)); };
      self->request(dict, caf::infinite, call_atom::value, std::string{"update"},
                    json{{"items", std::move(changed)}})
        .then(
          [=](json&) mutable {
            self->request(progress, caf::infinite, call_atom::value, std::string{"set"},
                          json{{"value", done}})
              .then([=](json&) mutable { rp.deliver(json(done)); }, fail);
          },
          fail);
      return rp;
    },
  };
}

// --- a worker: a CAF actor in a process of its own ----------------------------
//
// A queue item is a list of paths (a chunk, as Pool.map's chunksize: one
// get and one task_done per chunk, not per file). A worker keeps two gets in
// flight, so the next chunk is on its way while it counts one. It merges when
// its batch is full, and when the queue is empty for the moment (a
// non-blocking get says Empty): the parent's join() waits for every chunk to
// be merged, and only then puts one null per outstanding get to stop the
// workers.

struct worker_state {
  caf::actor queue;
  caf::actor merger;
  std::size_t batch_words = 0;
  std::int64_t batch_files_max = 0;
  counts batch;
  std::int64_t batch_files = 0; // files counted into `batch`, not yet merged
  std::int64_t batch_items = 0; // queue items (chunks) of those files
  int gets = 0;                 // gets in flight
  int merges = 0;               // merges in flight
  bool stopping = false;        // a null came: ask for nothing more
  std::shared_ptr<std::string> failure;
  static inline const char* name = "word_count.worker";
};

using worker_actor = caf::stateful_actor<worker_state>;

constexpr int gets_in_flight = 2;

void stop_with(worker_actor* self, const std::string& why) {
  *self->state.failure = why;
  self->quit(mpactor::make_error(mpactor::error_code::remote_error, why));
}

template <class Then>
void call(worker_actor* self, const caf::actor& to, const char* method, json args, Then then) {
  self->request(to, caf::infinite, call_atom::value, std::string{method}, std::move(args))
    .then(std::move(then), [self](caf::error& e) { stop_with(self, mpactor::message_of(e)); });
}

void finish_if_done(worker_actor* self) {
  auto& st = self->state;
  if (st.stopping && st.gets == 0 && st.merges == 0 && st.batch_items == 0)
    self->quit();
}

// Sends the batch to the merger; once it is merged, its chunks are done
// (task_done for each, all in flight at once).
void merge(worker_actor* self) {
  auto& st = self->state;
  if (st.batch_items == 0)
    return;
  json words = json::object();
  for (auto& [w, n] : st.batch)
    words[w] = n;
  auto files = std::exchange(st.batch_files, 0);
  auto items = std::exchange(st.batch_items, 0);
  st.batch.clear();
  ++st.merges;
  call(self, st.merger, "merge", json{{"counts", std::move(words)}, {"files", files}},
       [self, items](json&) {
         auto left = std::make_shared<std::int64_t>(items);
         for (std::int64_t i = 0; i < items; ++i)
           call(self, self->state.queue, "task_done", json::object(), [self, left](json&) {
             if (--*left == 0) {
               --self->state.merges;
               finish_if_done(self);
             }
           });
       });
}

void on_item(worker_actor* self, json& item);

// Asks for the next chunk: without blocking while files wait to be merged.
void ask(worker_actor* self) {
  auto& st = self->state;
  bool block = st.batch_items == 0;
  ++st.gets;
  self->request(st.queue, caf::infinite, call_atom::value, std::string{"get"},
                json{{"block", block}})
    .then([self](json& item) { on_item(self, item); },
          [self](caf::error& e) {
            --self->state.gets;
            if (mpactor::error_of(e) != mpactor::error_code::empty)
              return stop_with(self, mpactor::message_of(e));
            merge(self); // the queue ran dry for now: merge what there is
            ask(self);
          });
}

void on_item(worker_actor* self, json& item) {
  auto& st = self->state;
  --st.gets;
  if (item.is_null()) {
    st.stopping = true;
    return finish_if_done(self);
  }
  // Counted first, so that the next get does not block: while files wait
  // to be merged, some get must come back even from an empty queue.
  ++st.batch_items;
  ask(self); // the next chunk travels while this one is counted
  try {
    for (auto& path : item) {
      count_file(path.get<std::string>(), st.batch);
      ++st.batch_files;
    }
  } catch (const std::exception& e) {
    return stop_with(self, e.what());
  }
  if (st.batch.size() >= st.batch_words || st.batch_files >= st.batch_files_max)
    merge(self);
}

caf::behavior worker(worker_actor* self, caf::actor queue, caf::actor merger,
                     std::size_t batch_words, std::int64_t batch_files,
                     std::shared_ptr<std::string> failure) {
  auto& st = self->state;
  st.queue = std::move(queue);
  st.merger = std::move(merger);
  st.batch_words = batch_words;
  st.batch_files_max = batch_files;
  st.failure = std::move(failure);
  for (int i = 0; i < gets_in_flight; ++i)
    ask(self);
  return {}; // everything happens in responses
}

void run_worker(const mpactor::JoinableQueueProxy& queue, const mpactor::BaseProxy& merger,
                std::size_t batch_words, std::int64_t batch_files) {
  caf::actor_system_config cfg;
  cfg.set("scheduler.policy", caf::atom("sharing"));
  cfg.set("logger.verbosity", caf::atom("quiet"));
  caf::actor_system sys{cfg};
  auto failure = std::make_shared<std::string>();
  auto w = sys.spawn(worker, queue.actor(sys), merger.actor(sys), batch_words, batch_files,
                     failure);
  caf::scoped_actor self{sys};
  self->wait_for(w);
  if (!failure->empty())
    throw std::runtime_error("worker: " + *failure);
}

} // namespace

counts count_parallel(const std::vector<std::string>& files, const options& opts) {
  if (opts.workers < 1)
    throw std::invalid_argument("word_count needs at least one worker");
  mpactor::SyncManager m;
  m.register_actor("word_merger", merger);
  m.start();
  auto totals = m.dict();
  auto progress = m.Value(0);
  auto queue = m.JoinableQueue();
  auto joined = m.Event();
  auto merger_proxy = m.create("word_merger", {{"counts", totals}, {"progress", progress}});
  {
    mpactor::Batch puts; // all paths in one pipelined exchange
    std::vector<mpactor::Future> done;
    auto chunk = opts.files_per_item > 0
                   ? opts.files_per_item
                   : std::max<std::size_t>(1, files.size() / (16 * static_cast<std::size_t>(
                                                                    opts.workers)));
    for (std::size_t i = 0; i < files.size(); i += chunk) {
      json paths = json::array();
      for (std::size_t j = i; j < std::min(files.size(), i + chunk); ++j)
        paths.push_back(files[j]);
      done.push_back(puts.add(queue, "put", {{"item", std::move(paths)}}));
    }
    puts.run();
    for (auto& d : done)
      d.get(); // raises a put's error
  }
  std::vector<mpactor::Process> workers;
  for (int i = 0; i < opts.workers; ++i)
    workers.emplace_back([queue, merger_proxy, words = opts.batch_words,
                          files = opts.batch_files] { run_worker(queue, merger_proxy, words, files); });
  for (auto& w : workers)
    w.start();
  std::thread joiner([queue, joined] {
    try {
      queue.join();
      joined.set();
    } catch (const std::exception&) {
      // the manager went away: the parent reports why
    }
  });
  auto total = static_cast<std::int64_t>(files.size());
  std::string failed;
  // The bar is redrawn whenever the wait for the join times out; a worker
  // that died leaves its files undone, so the join would never come.
  while (!joined.wait(std::chrono::milliseconds(100))) {
    if (opts.on_progress)
      opts.on_progress(progress.get<std::int64_t>(), total);
    for (auto& w : workers)
      if (!w.is_alive() && w.exitcode().value_or(0) != 0)
        failed = "a worker process failed (exit code " + std::to_string(*w.exitcode()) + ")";
    if (!failed.empty())
      break;
  }
  if (!failed.empty()) {
    for (auto& w : workers)
      w.terminate();
    m.shutdown(); // ends the joiner's wait
    joiner.join();
    throw std::runtime_error(failed);
  }
  joiner.join();
  // Every file is merged: stop the workers, one null per get they may have
  // in flight.
  for (int i = 0; i < opts.workers * gets_in_flight; ++i)
    queue.put(nullptr);
  for (auto& w : workers)
    w.join();
  if (opts.on_progress)
    opts.on_progress(progress.get<std::int64_t>(), total);
  counts out;
  for (auto& [word, n] : totals.items())
    out.emplace(word.get<std::string>(), n.get<std::int64_t>());
  return out;
}

} // namespace word_count

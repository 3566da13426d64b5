#include <mpactor/actors/client/async_link.hpp>

#include <map>
#include <pthread.h>
#include <vector>

#include <caf/all.hpp>

#include <mpactor/actors/client/client.hpp>
#include <mpactor/actors/wire/silence_watch.hpp>
#include <mpactor/actors/objects/object_messages.hpp>
#include <mpactor/actors/client/object_ref.hpp>
#include <mpactor/actors/core/token.hpp>
#include <mpactor/shm/error.hpp>

namespace mpactor {

namespace {

// One link per client. Leaked on purpose, like the client registry.
std::mutex& links_mtx() {
  static auto* m = new std::mutex;
  return *m;
}

void abandon_after_fork();

std::map<const client*, std::weak_ptr<async_link>>& links() {
  static auto* m = [] {
    pthread_atfork(nullptr, nullptr, [] { abandon_after_fork(); });
    return new std::map<const client*, std::weak_ptr<async_link>>;
  }();
  return *m;
}

// A forked child must not speak on its parent's links (nor keep their
// sessions open): it closes their sockets, as connection does.
void abandon_after_fork() {
  new (&links_mtx()) std::mutex; // a thread of the parent may have held it
  for (auto& [cl, weak] : links())
    if (auto link = weak.lock())
      link->abandon();
}

} // namespace

void async_link::abandon() noexcept {
  new (&mtx_) std::mutex;
  if (broken_.empty())
    broken_ = "a forked child cannot use its parent's actor handles";
  // pending_ is left alone: its actors belong to the parent's actor system.
  sock_->close_now();
  reader_.detach(); // the parent's thread does not exist here
}

std::shared_ptr<async_link> async_link::of(const std::shared_ptr<client>& cl) {
  std::lock_guard<std::mutex> guard{links_mtx()};
  auto& slot = links()[cl.get()];
  if (auto link = slot.lock(); link && !link->broken())
    return link;
  auto link = std::make_shared<async_link>(cl);
  std::weak_ptr<async_link> weak = link;
  link->reader_ = std::thread([weak, raw = link.get()] { read_loop(weak, raw); });
  slot = link;
  return link;
}

async_link::async_link(std::shared_ptr<client> cl)
  : client_(std::move(cl)), sock_(client_->open_socket()) {
  // nop
}

async_link::~async_link() {
  sock_->shutdown();
  if (reader_.get_id() == std::this_thread::get_id())
    reader_.detach(); // the last handle died with a reply the reader delivered
  else if (reader_.joinable())
    reader_.join();
  fail_all("the actor handles of this manager were dropped");
  std::lock_guard<std::mutex> guard{links_mtx()};
  auto it = links().find(client_.get());
  if (it != links().end() && it->second.expired())
    links().erase(it);
}

bool async_link::broken() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return !broken_.empty();
}

void async_link::call(caf::strong_actor_ptr to, caf::message_id mid, std::uint64_t object,
                      const std::string& method, json args) {
  bool answer = mid.is_request() && to != nullptr;
  wire_frame f;
  f.kind = answer ? frame_kind::call : frame_kind::notify;
  f.object = object;
  f.method = method;
  client_->localize_markers(args);
  f.body = std::move(args);
  {
    std::lock_guard<std::mutex> guard{mtx_};
    if (!broken_.empty()) {
      if (answer)
        to->enqueue(nullptr, mid.response_id(),
                    caf::make_message(make_error(error_code::connection_error, broken_)),
                    nullptr);
      return;
    }
    if (answer) {
      f.request = next_request_++;
      // Filed before it is written: the reply may come before write() returns.
      pending_.emplace(f.request, pending{std::move(to), mid});
    }
  }
  try {
    sock_->write(f);
  } catch (const ConnectionError& e) {
    if (answer)
      deliver(f.request, caf::make_message(make_error(error_code::connection_error,
                                                      std::string{"the manager is gone: "}
                                                        + e.what())));
  }
}

void async_link::deliver(std::uint64_t request, caf::message msg) {
  pending p;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    auto it = pending_.find(request);
    if (it == pending_.end())
      return;
    p = std::move(it->second);
    pending_.erase(it);
  }
  // A null execution unit: safe from a thread that is not CAF's.
  p.to->enqueue(nullptr, p.mid.response_id(), std::move(msg), nullptr);
}

void async_link::fail_all(const std::string& why) {
  std::unordered_map<std::uint64_t, pending> failed;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    if (broken_.empty())
      broken_ = why;
    failed.swap(pending_);
  }
  for (auto& [request, p] : failed)
    p.to->enqueue(nullptr, p.mid.response_id(),
                  caf::make_message(make_error(error_code::connection_error, why)), nullptr);
}

// Markers in a reply name objects of this server: they get its address, and
// a reference the link keeps (one per object).
json async_link::adopt(json value) {
  std::vector<std::shared_ptr<object_ref>> refs;
  client_->adopt_markers(value, refs, true);
  for (auto& r : refs)
    kept_[r->token().id] = std::move(r);
  return value;
}

// The reader uses `raw` while the link lives: a destructor on another
// thread shuts the socket and joins it first. It holds the link only while
// it delivers a reply; if that drops the last handle, the link is destroyed
// right here and the loop must not touch it again.
void async_link::read_loop(std::weak_ptr<async_link> weak, async_link* raw) {
  silence_watch watch;
  try {
    for (;;) {
      auto f = raw->sock_->read(silence_watch::next_deadline());
      if (!f) {
        bool waiting;
        {
          std::lock_guard<std::mutex> guard{raw->mtx_};
          waiting = !raw->pending_.empty();
        }
        if (waiting)
          watch.on_timeout(*raw->sock_);
        else
          watch.heard(); // nothing asked, nothing owed
        continue;
      }
      watch.heard();
      if (f->kind != frame_kind::reply && f->kind != frame_kind::error)
        continue; // pongs
      {
        auto self = weak.lock();
        if (!self)
          return; // being destroyed elsewhere
        if (f->kind == frame_kind::reply)
          self->deliver(f->request, caf::make_message(self->adopt(std::move(f->body))));
        else
          self->deliver(f->request,
                        caf::make_message(make_error(
                          static_cast<error_code>(f->body.value("type", 0)),
                          f->body.value("message", std::string{"error"}))));
      }
      if (weak.expired())
        return;
    }
  } catch (const std::exception& e) {
    raw->fail_all(std::string{"the manager is gone: "} + e.what());
    raw->sock_->shutdown();
  }
}

} // namespace mpactor

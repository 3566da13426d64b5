#include <mpactor/actors/proxies/batch.hpp>

#include <map>

#include <mpactor/actors/core/error_code.hpp>
#include <mpactor/shm/error.hpp>

namespace mpactor {

json Future::get() const {
  if (!state_ || !state_->done)
    throw ValueError("Future::get: the batch has not run");
  if (state_->call.failed)
    raise_error(static_cast<error_code>(state_->call.error), state_->call.message);
  return state_->call.result;
}

Future Batch::add(const BaseProxy& target, const std::string& method, json args) {
  Future f;
  f.state_ = std::make_shared<Future::state>();
  f.state_->call.object = target.token().id;
  f.state_->call.method = method;
  f.state_->call.args = std::move(args);
  f.proxy_ = target;
  pending_.push_back(f);
  return f;
}

void Batch::run() {
  // One pipelined exchange per manager the calls go to.
  std::map<client*, std::vector<Future*>> by_client;
  for (auto& f : pending_)
    by_client[f.proxy_.owner().get()].push_back(&f);
  for (auto& [cl, futures] : by_client) {
    std::vector<connection::batch_call> calls;
    calls.reserve(futures.size());
    for (auto* f : futures)
      calls.push_back(std::move(f->state_->call));
    cl->call_many(calls);
    for (std::size_t i = 0; i < futures.size(); ++i) {
      auto& st = *futures[i]->state_;
      st.call = std::move(calls[i]);
      if (!st.call.failed)
        cl->adopt_markers(st.call.result, st.refs);
      st.done = true;
    }
  }
  pending_.clear();
}

} // namespace mpactor

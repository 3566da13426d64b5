#include <mpactor/actors/proxies/base_proxy.hpp>

#include <atomic>

#include <mpactor/shm/error.hpp>

namespace mpactor {

const Token& BaseProxy::token() const {
  if (!ref_)
    throw ValueError("the proxy refers to no object");
  return ref_->token();
}

const std::shared_ptr<client>& BaseProxy::owner() const {
  if (!ref_)
    throw ValueError("the proxy refers to no object");
  return ref_->owner();
}

json BaseProxy::raw_call(const std::string& method, json args,
                         std::vector<std::shared_ptr<object_ref>>& keep) const {
  auto& t = token();
  auto& cl = ref_->owner();
  json result;
  try {
    result = cl->call(t.id, method, std::move(args));
  } catch (const ConnectionError& e) {
    raise_manager_gone(cl->address(), e);
  }
  cl->adopt_markers(result, keep);
  return result;
}

json BaseProxy::call(const std::string& method, json args) const {
  std::vector<std::shared_ptr<object_ref>> keep;
  return raw_call(method, std::move(args), keep);
}

void BaseProxy::send(const std::string& method, json args) const {
  auto& t = token();
  auto& cl = ref_->owner();
  try {
    cl->send(t.id, method, std::move(args));
  } catch (const ConnectionError& e) {
    raise_manager_gone(cl->address(), e);
  }
}

std::shared_ptr<object_ref> BaseProxy::adopt(const Token& t) const {
  auto& owner = ref_->owner();
  Token full = t;
  if (full.is_local())
    full.address = owner->address();
  if (full.address == owner->address())
    return owner->adopt(full, 0); // counted by the reply that carried it
  // A proxy received from another node: register with its server, which is
  // expected to share this process's authkey.
  return client::for_address(full.address, owner->authkey(), owner->tls())
    ->adopt_counted(full);
}

void raise_manager_gone(const Address& address, const ConnectionError& e) {
  std::string what = e.what();
  if (what.find("restarted") != std::string::npos || what.find(" is gone") != std::string::npos)
    throw e;
  throw ConnectionError("the manager at " + address.to_string() + " is gone (" + what + ")");
}

std::uint64_t this_thread_number() {
  static std::atomic<std::uint64_t> next{1};
  thread_local std::uint64_t mine = next++;
  return mine;
}

} // namespace mpactor

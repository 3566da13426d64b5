#include <mpactor/actors/server/python_handshake.hpp>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <mpactor/actors/wire/handshake.hpp>

namespace mpactor {

namespace {

constexpr std::string_view challenge_tag = "#CHALLENGE#";
constexpr std::string_view welcome = "#WELCOME#";
constexpr std::string_view failure = "#FAILURE#";

const EVP_MD* digest_of(std::string_view name) {
  if (name == "md5")
    return EVP_md5();
  if (name == "sha256")
    return EVP_sha256();
  if (name == "sha384")
    return EVP_sha384();
  if (name == "sha3_256")
    return EVP_sha3_256();
  if (name == "sha3_384")
    return EVP_sha3_384();
  return nullptr;
}

std::string hmac(const EVP_MD* md, std::string_view key, std::string_view message) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(md, key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), out, &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

// Python's _get_digest_name_and_payload: "" for a legacy message (16 or 20
// bytes), else the name in "{name}" and what follows; false if neither.
bool split_digest(std::string_view message, std::string& name, std::string_view& payload) {
  if (message.size() == 16 || message.size() == 20) {
    name.clear();
    payload = message;
    return true;
  }
  if (message.empty() || message[0] != '{')
    return false;
  auto curly = message.find('}', 1);
  if (curly == std::string_view::npos || curly >= 20)
    return false;
  name = std::string{message.substr(1, curly - 1)};
  if (digest_of(name) == nullptr)
    return false;
  payload = message.substr(curly + 1);
  return true;
}

} // namespace

std::string python_handshake::challenge() {
  sent_ = "{sha256}" + random_bytes(40);
  return std::string{challenge_tag} + sent_;
}

python_handshake::step python_handshake::next(std::string_view message,
                                              std::string_view authkey) {
  step s;
  auto fail = [&](std::string why) {
    s.failed = true;
    s.why = std::move(why);
    state_ = state::done;
    return s;
  };
  switch (state_) {
    case state::answer: {
      std::string name;
      std::string_view mac;
      if (!split_digest(message, name, mac)) {
        s.replies.emplace_back(failure);
        return fail("unsupported answer to the challenge");
      }
      if (name.empty())
        name = "md5";
      if (name == "md5" && !accept_md5_) {
        s.replies.emplace_back(failure);
        return fail("an HMAC-MD5 answer (a Python 3.11 or older client) is refused");
      }
      auto expected = hmac(digest_of(name), authkey, sent_);
      if (expected.size() != mac.size()
          || CRYPTO_memcmp(expected.data(), mac.data(), mac.size()) != 0) {
        s.replies.emplace_back(failure);
        return fail("digest received was wrong (authkey mismatch)");
      }
      s.replies.emplace_back(welcome);
      state_ = state::challenge;
      return s;
    }
    case state::challenge: {
      if (message.substr(0, challenge_tag.size()) != challenge_tag
          || message.size() < challenge_tag.size() + 20)
        return fail("expected the client's challenge");
      auto theirs = message.substr(challenge_tag.size());
      std::string name;
      std::string_view payload;
      if (!split_digest(theirs, name, payload))
        return fail("unsupported challenge digest");
      if (name.empty() || name == "md5") {
        if (!accept_md5_)
          return fail("an HMAC-MD5 challenge (a Python 3.11 or older client) is refused");
      }
      if (name.empty())
        s.replies.push_back(hmac(EVP_md5(), authkey, theirs));
      else
        s.replies.push_back("{" + name + "}" + hmac(digest_of(name), authkey, theirs));
      state_ = state::verdict;
      return s;
    }
    case state::verdict:
      if (message != welcome)
        return fail("the client refused the server's answer (authkey mismatch)");
      state_ = state::done;
      s.done = true;
      return s;
    case state::done:
      break;
  }
  return fail("handshake message after the handshake");
}

} // namespace mpactor

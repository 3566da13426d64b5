#pragma once

// python_handshake: the server's side of multiprocessing.connection's
// authentication, as CPython 3.12+ runs it, so that 3.8-3.14 clients pass.
//
// The server speaks first: it delivers a challenge, "#CHALLENGE#{sha256}"
// and 40 random bytes, and checks the answer, an HMAC of everything after
// "#CHALLENGE#" under the authkey ("{sha256}" + HMAC-SHA256, or a raw
// 16-byte HMAC-MD5 from a 3.8-3.11 client); it says "#WELCOME#" or
// "#FAILURE#". Then it answers the client's challenge the same way (a raw
// HMAC-MD5 for a legacy 20-byte challenge, else the digest the prefix names)
// and reads the client's verdict. With accept_md5 off, MD5 is refused in
// both directions (only 3.12+ clients then pass).

#include <string>
#include <string_view>
#include <vector>

namespace mpactor {

class python_handshake {
public:
  explicit python_handshake(bool accept_md5) : accept_md5_(accept_md5) {
    // nop
  }

  /// The first message: the server's challenge.
  std::string challenge();

  /// What one message of the client does.
  struct step {
    std::vector<std::string> replies; ///< messages to send, in order
    bool done = false;                ///< the client is authenticated
    bool failed = false;              ///< close after sending the replies
    std::string why;                  ///< for the log, when failed
  };

  /// Takes the client's next message.
  step next(std::string_view message, std::string_view authkey);

private:
  enum class state { answer, challenge, verdict, done };
  bool accept_md5_;
  state state_ = state::answer;
  std::string sent_; // the challenge after "#CHALLENGE#"
};

} // namespace mpactor

// Hostile and malformed input: garbage, skipped or faked handshakes,
// truncated, oversized and deeply nested frames, unknown methods, objects and
// type ids, wrong argument types, and a bounded stream of random frames. Each
// gets an error reply or a dropped connection; the server keeps serving the
// others and no managed data changes.

#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <mpactor/actors/wire/frame_socket.hpp>
#include <mpactor/actors/wire/handshake.hpp>
#include <mpactor/mpactor.hpp>

#include "eventually.hpp"

using namespace mpactor;

namespace {

constexpr auto deadline = std::chrono::seconds(5);

std::unique_ptr<frame_socket> raw_connect(const SyncManager& m) {
  auto fd = frame_socket::connect_to(m.address(), std::chrono::steady_clock::now() + deadline);
  return std::make_unique<frame_socket>(fd);
}

std::unique_ptr<frame_socket> authenticated(const SyncManager& m) {
  auto sock = raw_connect(m);
  client_handshake(*sock, m.authkey(), random_bytes(session_key_size), std::chrono::milliseconds(5000));
  return sock;
}

// Whether the server closes `sock` (reads until EOF, with a bound).
bool dropped(frame_socket& sock) {
  try {
    for (;;) {
      auto f = sock.read(std::chrono::steady_clock::now() + deadline);
      if (!f)
        return false; // still open after the bound
    }
  } catch (const ConnectionError&) {
    return true;
  } catch (const protocol_error&) {
    return true;
  }
}

void send_raw(frame_socket& sock, const std::string& bytes) {
  sock.write_bytes(bytes);
}

std::string frame_bytes(frame_kind kind, std::uint64_t object, const std::string& method,
                        const json& body) {
  wire_frame f;
  f.kind = kind;
  f.request = 1;
  f.object = object;
  f.method = method;
  f.body = body;
  std::string out;
  f.encode(out);
  return out;
}

json reply_to(frame_socket& sock) {
  auto f = sock.read(std::chrono::steady_clock::now() + deadline);
  REQUIRE(f.has_value());
  if (f->kind == frame_kind::error)
    return {{"error", f->body["type"]}};
  return f->body;
}

// The dict the tests check stays as it was, and the server still serves.
struct witness {
  explicit witness(const SyncManager& m) : d(m.dict({{"k", 1}})) {}
  bool intact() const { return d.copy() == json{{"k", 1}} && d.size() == 1; }
  DictProxy d;
};

} // namespace

TEST_CASE("Garbage bytes instead of a handshake drop only that connection") {
  auto m = Manager();
  witness w{m};
  auto sut = raw_connect(m);
  send_raw(*sut, std::string(64, '\xff'));
  CHECK(dropped(*sut));
  CHECK(w.intact());
}

TEST_CASE("A call without a handshake reaches nothing") {
  auto m = Manager();
  witness w{m};
  auto sut = raw_connect(m);
  auto id = w.d.token().id;
  send_raw(*sut, frame_bytes(frame_kind::call, id, "set", {{"key", "k"}, {"value", 666}}));
  CHECK(dropped(*sut));
  CHECK(w.intact());
}

TEST_CASE("A faked handshake digest is refused and the client gets AuthenticationError") {
  auto m = Manager();
  witness w{m};
  auto sut = raw_connect(m);
  CHECK_THROWS_AS(client_handshake(*sut, "not the key", random_bytes(session_key_size), std::chrono::milliseconds(5000)),
                  AuthenticationError);
  CHECK(w.intact());
  BaseManager wrong{m.address(), "wrong key"};
  CHECK_THROWS_AS(wrong.connect(), AuthenticationError);
  CHECK(w.intact());
}

TEST_CASE("A truncated frame drops the connection") {
  auto m = Manager();
  witness w{m};
  auto sut = authenticated(m);
  auto bytes = frame_bytes(frame_kind::call, w.d.token().id, "set", {{"key", "k"}, {"value", 2}});
  send_raw(*sut, bytes.substr(0, bytes.size() / 2));
  ::shutdown(sut->fd(), SHUT_WR);
  CHECK(dropped(*sut));
  CHECK(w.intact());
}

TEST_CASE("An oversized frame drops the connection without reading it") {
  auto m = Manager();
  witness w{m};
  auto sut = authenticated(m);
  std::string huge_header = "\xff\xff\xff\x7f"; // about 2 GiB announced
  send_raw(*sut, huge_header + std::string(32, '\0'));
  CHECK(dropped(*sut));
  CHECK(w.intact());
}

TEST_CASE("A deeply nested body drops the connection") {
  auto m = Manager();
  witness w{m};
  auto sut = authenticated(m);
  // 100,000 nested one-element arrays: MessagePack 0x91 each, then nil.
  std::string body(100000, '\x91');
  body += '\xc0';
  std::string payload;
  payload += static_cast<char>(frame_kind::call);
  payload += std::string(8, '\x01');
  std::uint64_t id = w.d.token().id;
  for (int i = 0; i < 8; ++i)
    payload += static_cast<char>((id >> (8 * i)) & 0xff);
  payload += '\x03';
  payload += "set";
  payload += body;
  std::string frame(4, '\0');
  auto n = static_cast<std::uint32_t>(payload.size());
  for (int i = 0; i < 4; ++i)
    frame[static_cast<std::size_t>(i)] = static_cast<char>((n >> (8 * i)) & 0xff);
  send_raw(*sut, frame + payload);
  CHECK(dropped(*sut));
  CHECK(w.intact());
}

TEST_CASE("Unknown methods objects and type ids and wrong argument types get error replies") {
  auto m = Manager();
  witness w{m};
  auto sut = authenticated(m);
  auto id = w.d.token().id;
  send_raw(*sut, frame_bytes(frame_kind::call, id, "no_such_method", json::object()));
  CHECK(reply_to(*sut)["error"] == static_cast<int>(error_code::attribute_error));
  send_raw(*sut, frame_bytes(frame_kind::call, 999999, "get", {{"key", "k"}}));
  CHECK(reply_to(*sut)["error"] == static_cast<int>(error_code::no_such_object));
  send_raw(*sut, frame_bytes(frame_kind::call, 0, "create", {{"typeid", "NoSuchType"}}));
  CHECK(reply_to(*sut)["error"] == static_cast<int>(error_code::value_error));
  send_raw(*sut, frame_bytes(frame_kind::call, 0, "create", {{"typeid", 42}}));
  CHECK(reply_to(*sut)["error"] == static_cast<int>(error_code::type_error));
  auto l = m.list(json::array({1, 2}));
  send_raw(*sut, frame_bytes(frame_kind::call, l.token().id, "get", {{"index", "zero"}}));
  CHECK(reply_to(*sut)["error"] == static_cast<int>(error_code::type_error));
  send_raw(*sut, frame_bytes(frame_kind::call, id, "set", json::array({1, 2, 3})));
  CHECK(reply_to(*sut).contains("error"));
  CHECK(w.intact());
  CHECK(l.copy() == json::array({1, 2}));
}

TEST_CASE("A bounded stream of random frames leaves the server serving and the data unchanged") {
  auto m = Manager();
  witness w{m};
  std::mt19937 rng{12345}; // fixed seed: the same frames every run
  auto connections = [&] { return m.stats()["connections"].get<long>(); };
  auto before = connections();
  for (int round = 0; round < 20; ++round) {
    auto sut = authenticated(m);
    try {
      for (int i = 0; i < 100; ++i) {
        std::string payload(1 + rng() % 64, '\0');
        for (auto& c : payload)
          c = static_cast<char>(rng());
        if (rng() % 2 == 0)
          payload[0] = static_cast<char>(1 + rng() % 6); // a valid kind, often
        std::string frame(4, '\0');
        auto n = static_cast<std::uint32_t>(payload.size());
        for (int b = 0; b < 4; ++b)
          frame[static_cast<std::size_t>(b)] = static_cast<char>((n >> (8 * b)) & 0xff);
        sut->write_bytes(frame + payload);
      }
    } catch (const ConnectionError&) {
      // dropped midway: allowed
    }
  }
  // Each round's connection, dropped by the server or closed by us, is gone.
  CHECK(mpactor_test::eventually([&] { return connections() == before; }));
  CHECK(w.intact());
  auto fresh = m.dict();
  fresh.set("after", true);
  CHECK(fresh.get<bool>("after"));
}

namespace {

// A call frame setting `key` to a string padded so that the frame's size
// (what its u32 prefix announces) is exactly `size`.
std::string set_frame_of_size(std::uint64_t object, std::size_t size) {
  std::string pad(1 << 20, 'x'); // long enough for MessagePack's str32 header
  auto bytes = frame_bytes(frame_kind::call, object, "set", {{"key", "big"}, {"value", pad}});
  pad.resize(pad.size() + (size + 4) - bytes.size());
  bytes = frame_bytes(frame_kind::call, object, "set", {{"key", "big"}, {"value", pad}});
  REQUIRE(bytes.size() == size + 4);
  return bytes;
}

} // namespace

TEST_CASE("A frame of exactly the 64 MiB limit is served and one byte more drops only its connection") {
  auto m = Manager();
  witness w{m};
  auto big = m.dict();
  auto id = big.token().id;
  constexpr auto limit = wire_frame::default_max_size;
  auto sut = authenticated(m);
  send_raw(*sut, set_frame_of_size(id, limit));
  CHECK(reply_to(*sut).is_null()); // set answered, not an error
  CHECK(big.get("big").get_ref<const std::string&>().size() > limit - 100);
  try {
    send_raw(*sut, set_frame_of_size(id, limit + 1));
  } catch (const ConnectionError&) {
    // closed by the server before all was sent: refused without reading it
  }
  CHECK(dropped(*sut));
  CHECK(w.intact()); // other clients go on
  CHECK(big.size() == 1);
}

TEST_CASE("A client refuses a server that does not know the key") {
  // An impostor: it listens, sends a challenge, and answers the client's
  // challenge with a digest made from another key.
  int lfd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(lfd >= 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(lfd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) == 0);
  REQUIRE(::listen(lfd, 4) == 0);
  socklen_t len = sizeof(sa);
  getsockname(lfd, reinterpret_cast<sockaddr*>(&sa), &len);
  std::thread impostor{[&] {
    int fd = ::accept(lfd, nullptr, nullptr);
    if (fd < 0)
      return;
    frame_socket sock{fd};
    try {
      server_handshake hs;
      sock.write(hs.challenge());
      auto until = std::chrono::steady_clock::now() + deadline;
      for (auto f = sock.read(until); f; f = sock.read(until)) {
        if (f->method != "auth")
          continue; // the hello
        auto c = f->body.at("challenge").get_binary();
        std::string challenge(c.begin(), c.end());
        wire_frame answer;
        answer.method = "auth";
        auto digest = server_digest("not the key", challenge);
        answer.body = {{"digest", json::binary(std::vector<std::uint8_t>(digest.begin(), digest.end()))},
                       {"incarnation", 1},
                       {"session", 1}};
        sock.write(answer);
        break;
      }
      (void) sock.read(until); // until the client hangs up
    } catch (const std::exception&) {
      // the client closed
    }
  }};
  Address addr{"127.0.0.1", ntohs(sa.sin_port)};
  SyncManager sut{addr, "the real key"};
  CHECK_THROWS_AS(sut.connect(), AuthenticationError);
  impostor.join();
  ::close(lfd);
}

namespace {

// Socket inodes of the TCP sockets process `pid` listens on.
std::vector<std::string> listening_tcp_ports(pid_t pid) {
  std::set<std::string> inodes;
  auto dir = "/proc/" + std::to_string(pid) + "/fd";
  for (int fd = 0; fd < 4096; ++fd) {
    char target[256];
    auto link = dir + "/" + std::to_string(fd);
    auto n = ::readlink(link.c_str(), target, sizeof(target) - 1);
    if (n <= 0)
      continue;
    target[n] = 0;
    std::string t{target};
    if (t.rfind("socket:[", 0) == 0)
      inodes.insert(t.substr(8, t.size() - 9));
  }
  std::vector<std::string> ports;
  for (const char* table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
    std::ifstream in{table};
    std::string line;
    std::getline(in, line); // header
    while (std::getline(in, line)) {
      std::istringstream fields{line};
      std::string sl, local, remote, state, queues, timer, retr, uid, timeout, inode;
      fields >> sl >> local >> remote >> state >> queues >> timer >> retr >> uid >> timeout >> inode;
      if (state == "0A" && inodes.count(inode) != 0)
        ports.push_back(local.substr(local.find(':') + 1));
    }
  }
  return ports;
}

} // namespace

TEST_CASE("The server listens on its own port only: CAF's BASP port is never opened") {
  SyncManager m{Address{"127.0.0.1", 0}, "listen-test-key"};
  m.start();
  auto d = m.dict(); // the server has served a client
  d.set("k", 1);
  auto ports = listening_tcp_ports(m.server_pid());
  char hex[8];
  std::snprintf(hex, sizeof(hex), "%04X", m.address().port);
  REQUIRE(ports.size() == 1);
  CHECK(ports[0] == hex);
  // Manager() serves on a Unix socket: no TCP port at all.
  auto local = Manager();
  local.dict().set("k", 1);
  CHECK(listening_tcp_ports(local.server_pid()).empty());
}

// The cluster bus against real processes (issue 16; src/cluster/README.md): a `nats-server`
// with a user/password on a free port, two asobi nodes on one PostgreSQL. Checks a DM between
// players on different nodes, that a token revoked (logout) on node A stops working on node B
// at once (not after the 60 s cache TTL), that messages from a client without the NATS
// credential are refused by NATS and forged ones (unknown node) by asobi, that a node started
// with NATS unreachable serves degraded, and that a node whose NATS dies keeps serving its local
// players, reports /ready degraded, and reconnects. Issue 16 item 4: a third node places a
// match whose two players are on the other nodes (both proxied), then dies: node_lost. Two
// nodes cut off from NATS on one database never seat one player in two matches (seat claims).
// DM block lists across nodes: decided in memory on the recipient's node, block changes applied
// on every node before the friends route answers.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <nats/nats.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "http_call.h"
#include "itest_checks.h"
#include "itest_clock.h"
#include "itest_suite.h"
#include "json_doc.h"
#include "pg_test_db.h"
#include "server_harness.h"
#include "ws_client.h"

namespace asobi::itest {
namespace {

constexpr int kWaitMs = 8000;  // bounds a misbehaving server only
const char* kNatsUser = "asobi";
const char* kNatsPass = "cluster-secret";

uint16_t FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a));
  socklen_t len = sizeof(a);
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

std::string NatsBinary() {
  for (const char* p : {"/usr/sbin/nats-server", "/usr/bin/nats-server"}) {
    if (access(p, X_OK) == 0) return p;
  }
  return "";
}

// A nats-server child on 127.0.0.1:port with one user; killed (SIGKILL) by Kill/destructor.
class NatsServer {
 public:
  ~NatsServer() { Kill(); }
  ::testing::AssertionResult Start(uint16_t port) {
    std::string bin = NatsBinary();
    if (bin.empty()) return ::testing::AssertionFailure() << "nats-server not installed";
    port_ = port;
    pid_ = fork();
    if (pid_ == 0) {
      std::string p = std::to_string(port);
      execl(bin.c_str(), bin.c_str(), "-a", "127.0.0.1", "-p", p.c_str(), "--user", kNatsUser,
            "--pass", kNatsPass, static_cast<char*>(nullptr));
      _exit(127);
    }
    int64_t deadline = NowMs() + kWaitMs;
    while (NowMs() < deadline) {  // ready once it accepts a TCP connection
      int fd = socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in a{};
      a.sin_family = AF_INET;
      a.sin_port = htons(port);
      a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      bool ok = connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0;
      close(fd);
      if (ok) return ::testing::AssertionSuccess();
      usleep(20 * 1000);
    }
    return ::testing::AssertionFailure() << "nats-server did not listen on " << port;
  }
  void Kill() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  std::string Url(bool with_credentials) const {
    std::string creds = with_credentials ? std::string(kNatsUser) + ":" + kNatsPass + "@" : "";
    return "nats://" + creds + "127.0.0.1:" + std::to_string(port_);
  }

 private:
  pid_t pid_ = -1;
  uint16_t port_ = 0;
};

// One authenticated WebSocket; keeps the pushes it skipped while waiting for a reply.
class Socket {
 public:
  ::testing::AssertionResult Connect(uint16_t port, const std::string& token) {
    if (auto r = ws_.Open(port); !r) return r;
    JsonDoc reply = Call("session.connect", R"({"token":")" + token + R"("})");
    if (reply.Str({"type"}).value_or("") != "session.connected") {
      return ::testing::AssertionFailure() << "session.connect: " << reply.text();
    }
    return ::testing::AssertionSuccess();
  }
  JsonDoc Call(const std::string& type, const std::string& payload_json) {
    std::string cid = std::to_string(++cid_);
    EXPECT_TRUE(ws_.SendText(R"({"type":")" + type + R"(","cid":")" + cid + R"(","payload":)" +
                             payload_json + "}"));
    int64_t deadline = NowMs() + kWaitMs;
    while (NowMs() < deadline) {
      JsonDoc d;
      if (!ws_.RecvJson(&d, int(deadline - NowMs()))) break;
      if (d.Str({"cid"}).value_or("") == cid) return d;
      backlog_.push_back(std::move(d));
    }
    ADD_FAILURE() << "no reply to " << type;
    return JsonDoc();
  }
  // Sends a frame without a cid (no reply expected).
  void Send(const std::string& type, const std::string& payload_json) {
    EXPECT_TRUE(ws_.SendText(R"({"type":")" + type + R"(","payload":)" + payload_json + "}"));
  }
  // The next push of `type`; a null document after the wait bound.
  JsonDoc Next(const std::string& type) {
    for (size_t i = 0; i < backlog_.size(); ++i) {
      if (backlog_[i].Str({"type"}).value_or("") == type) {
        JsonDoc d = std::move(backlog_[i]);
        backlog_.erase(backlog_.begin() + long(i));
        return d;
      }
    }
    int64_t deadline = NowMs() + kWaitMs;
    while (NowMs() < deadline) {
      JsonDoc d;
      if (!ws_.RecvJson(&d, int(deadline - NowMs()))) break;
      if (d.Str({"type"}).value_or("") == type) return d;
      backlog_.push_back(std::move(d));
    }
    ADD_FAILURE() << "no " << type;
    return JsonDoc();
  }

  // True when a push of `type` was skipped while waiting (it is in the backlog).
  bool Saw(const std::string& type) const {
    for (const JsonDoc& d : backlog_) {
      if (d.Str({"type"}).value_or("") == type) return true;
    }
    return false;
  }

 private:
  WsClient ws_;
  std::vector<JsonDoc> backlog_;
  int cid_ = 0;
};

std::string Quote(const std::string& s) { return "\"" + s + "\""; }

// Value of an unlabeled metric line `name N` on `port`'s /metrics; -1 when absent.
int64_t Metric(uint16_t port, const std::string& name) {
  HttpResponse r = HttpCall(port, "GET", "/metrics", "", "");
  size_t at = r.body.find("\n" + name + " ");
  if (at == std::string::npos) return -1;
  return std::stoll(r.body.substr(at + name.size() + 2));
}

// Polls `port`'s metric until it equals `want` (bounded); returns the last value.
int64_t MetricUntil(uint16_t port, const std::string& name, int64_t want) {
  int64_t v = -1;
  int64_t deadline = NowMs() + kWaitMs;
  while (NowMs() < deadline) {
    v = Metric(port, name);
    if (v == want) return v;
    usleep(20 * 1000);
  }
  return v;
}

std::string ReadyBody(uint16_t port) { return HttpCall(port, "GET", "/ready", "", "").body; }

std::string ReadyUntil(uint16_t port, const std::string& want) {
  std::string body;
  int64_t deadline = NowMs() + kWaitMs;
  while (NowMs() < deadline) {
    body = ReadyBody(port);
    if (body == want) return body;
    usleep(20 * 1000);
  }
  return body;
}

class ClusterTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    db_ = new TestDatabase();
    ASSERT_TRUE(db_->ok()) << db_->error();
    nats_ = new NatsServer();
    nats_port_ = FreePort();
    ASSERT_TRUE(nats_->Start(nats_port_));
    a_ = new ServerProcess();
    b_ = new ServerProcess();
    ASSERT_TRUE(StartReady(a_, NodeOptions("node_a")));
    ASSERT_TRUE(StartReady(b_, NodeOptions("node_b")));
    // Each node sees the other within one announcement interval.
    ASSERT_EQ(MetricUntil(a_->port(), "asobi_cluster_peers", 1), 1);
    ASSERT_EQ(MetricUntil(b_->port(), "asobi_cluster_peers", 1), 1);
  }
  static void TearDownTestSuite() {
    if (a_) {
      EXPECT_TRUE(a_->Stop());
    }
    if (b_) {
      EXPECT_TRUE(b_->Stop());
    }
    delete a_;
    delete b_;
    delete nats_;
    delete db_;
    a_ = b_ = nullptr;
    nats_ = nullptr;
    db_ = nullptr;
  }
  void TearDown() override {
    if (HasFailure()) {
      std::fprintf(stderr, "node A log:\n%s\nnode B log:\n%s", a_->log().c_str(),
                   b_->log().c_str());
    }
  }
  static ServerOptions NodeOptions(const std::string& id) {
    ServerOptions o;
    o.flags = db_->ServerFlags();
    o.flags.insert(
        o.flags.end(),
        {"--rate-limits", "register=1000/1000,auth=1000/1000,api=100000/1000", "--cluster-nats",
         "nats://127.0.0.1:" + std::to_string(nats_port_), "--cluster-nats-user", kNatsUser,
         "--cluster-nats-password", kNatsPass, "--cluster-node-id", id});
    return o;
  }

  static inline TestDatabase* db_ = nullptr;
  static inline NatsServer* nats_ = nullptr;
  static inline uint16_t nats_port_ = 0;
  static inline ServerProcess* a_ = nullptr;
  static inline ServerProcess* b_ = nullptr;
};

TEST_F(ClusterTest, DmReachesAPlayerOnTheOtherNode) {
  auto [a, ta] = RegisterPlayer(a_->port(), "cl_dm_a");
  auto [b, tb] = RegisterPlayer(b_->port(), "cl_dm_b");
  Socket sa, sb;
  ASSERT_TRUE(sa.Connect(a_->port(), ta));
  ASSERT_TRUE(sb.Connect(b_->port(), tb));
  JsonDoc r =
      sa.Call("dm.send", R"({"recipient_id":)" + Quote(b) + R"(,"content":"over the bus"})");
  ASSERT_EQ(r.Str({"type"}).value_or(""), "dm.sent") << r.text();
  JsonDoc m = sb.Next("dm.message");
  EXPECT_EQ(m.Str({"payload", "content"}), "over the bus") << m.text();
  EXPECT_EQ(m.Str({"payload", "sender_id"}), a) << m.text();
  // And back, B to A.
  r = sb.Call("dm.send", R"({"recipient_id":)" + Quote(a) + R"(,"content":"and back"})");
  ASSERT_EQ(r.Str({"type"}).value_or(""), "dm.sent") << r.text();
  EXPECT_EQ(sa.Next("dm.message").Str({"payload", "content"}), "and back");
}

// DM block lists across nodes (docs/decisions.md "DM block lists in memory"): a DM to a
// player on the other node is checked against the recipient's list in memory on that node
// (no SELECT per DM on either node), and a block or unblock made over REST on the node
// without the recipient's socket applies to the very next DM.
TEST_F(ClusterTest, DmBlockAcrossNodesIsDecidedInMemoryAndAppliesAtOnce) {
  auto [a, ta] = RegisterPlayer(a_->port(), "cl_blk_a");
  auto [b, tb] = RegisterPlayer(b_->port(), "cl_blk_b");
  Socket sa, sb;
  ASSERT_TRUE(sa.Connect(a_->port(), ta));
  ASSERT_TRUE(sb.Connect(b_->port(), tb));
  auto dm = [](Socket& s, const std::string& to, const std::string& text) {
    return s.Call("dm.send", R"({"recipient_id":)" + Quote(to) + R"(,"content":")" + text + "\"}");
  };
  // Until node A learns that b's socket is on node B, a DM is checked in the database and
  // published to every node; from then on node B decides.
  const char* checks = "asobi_cluster_play_block_checks_total";
  int64_t checks_before = Metric(b_->port(), checks);
  ASSERT_GE(checks_before, 0);
  int64_t deadline = NowMs() + kWaitMs;
  while (NowMs() < deadline && Metric(b_->port(), checks) == checks_before) {
    ASSERT_EQ(dm(sa, b, "warm").Str({"type"}).value_or(""), "dm.sent");
    ASSERT_EQ(sb.Next("dm.message").Str({"payload", "content"}).value_or(""), "warm");
  }
  ASSERT_GT(Metric(b_->port(), checks), checks_before) << "node B never checked a DM";
  const char* queries = "asobi_dm_block_queries_total";
  const int64_t queries_a = Metric(a_->port(), queries), queries_b = Metric(b_->port(), queries);
  // b blocks a, over node A's REST: the row (player_id = b, friend_id = a) becomes blocked
  // (chat_test's Block), and b's list lives on node B.
  ASSERT_EQ(HttpCall(a_->port(), "POST", "/api/v1/friends", R"({"friend_id":)" + Quote(a) + "}", tb)
                .status,
            200);
  HttpResponse put =
      HttpCall(a_->port(), "PUT", "/api/v1/friends/" + b, R"({"status":"blocked"})", ta);
  ASSERT_EQ(put.status, 200) << put.body;
  JsonDoc r = dm(sa, b, "while blocked");
  EXPECT_TRUE(IsWsError(r, "blocked", "dm.blocked", "\"" + r.Str({"cid"}).value_or("") + "\""))
      << r.text();
  r = dm(sb, a, "b may still write");
  EXPECT_EQ(r.Str({"type"}).value_or(""), "dm.sent") << r.text();
  EXPECT_EQ(sa.Next("dm.message").Str({"payload", "content"}).value_or(""), "b may still write");
  // Unblocked over node A again: the next DM arrives, and the blocked one never came.
  ASSERT_EQ(HttpCall(a_->port(), "DELETE", "/api/v1/friends/" + a, "", tb).status, 200);
  r = dm(sa, b, "after");
  ASSERT_EQ(r.Str({"type"}).value_or(""), "dm.sent") << r.text();
  EXPECT_EQ(sb.Next("dm.message").Str({"payload", "content"}).value_or(""), "after");
  EXPECT_EQ(Metric(a_->port(), queries), queries_a);
  EXPECT_EQ(Metric(b_->port(), queries), queries_b);
}

TEST_F(ClusterTest, LogoutOnOneNodeRevokesTheTokenOnTheOther) {
  auto [p, token] = RegisterPlayer(a_->port(), "cl_revoke");
  // Node B caches the token (positive entries live 60 s).
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(HttpCall(b_->port(), "GET", "/api/v1/players/" + p, "", token).status, 200);
  }
  ASSERT_EQ(HttpCall(a_->port(), "POST", "/api/v1/auth/logout", "{}", token).status, 200);
  // The eviction crosses the bus: B refuses the token well inside the 60 s cache TTL.
  int status = 0;
  int64_t deadline = NowMs() + kWaitMs;
  while (NowMs() < deadline) {
    status = HttpCall(b_->port(), "GET", "/api/v1/players/" + p, "", token).status;
    if (status == 401) break;
    usleep(20 * 1000);
  }
  EXPECT_EQ(status, 401);
}

TEST_F(ClusterTest, NatsRefusesClientsWithoutTheCredentialAndAsobiRefusesForgedSenders) {
  natsConnection* nc = nullptr;
  natsStatus s = natsConnection_ConnectTo(&nc, nats_->Url(false).c_str());
  EXPECT_NE(s, NATS_OK) << "NATS accepted a client without the credential";
  if (nc != nullptr) natsConnection_Destroy(nc);
  nc = nullptr;

  // With the credential but claiming a node that never announced itself: refused.
  auto [p, token] = RegisterPlayer(b_->port(), "cl_forged");
  Socket sp;
  ASSERT_TRUE(sp.Connect(b_->port(), token));
  int64_t refused_before = Metric(b_->port(), "asobi_cluster_refused_total");
  ASSERT_EQ(natsConnection_ConnectTo(&nc, nats_->Url(true).c_str()), NATS_OK);
  std::string forged = R"({"from":"ghost","op":"revoke","player":")" + p + "\"}";
  ASSERT_EQ(natsConnection_PublishString(nc, "asobi.all.auth", forged.c_str()), NATS_OK);
  ASSERT_EQ(natsConnection_PublishString(nc, "asobi.all.auth", "not json"), NATS_OK);
  std::string deliver = "D1\nghost\n" + p + "\n{\"type\":\"dm.message\",\"payload\":{}}";
  ASSERT_EQ(natsConnection_PublishString(nc, "asobi.node.node_b", deliver.c_str()), NATS_OK);
  ASSERT_EQ(natsConnection_Flush(nc), NATS_OK);
  natsConnection_Destroy(nc);
  EXPECT_EQ(MetricUntil(b_->port(), "asobi_cluster_refused_total", refused_before + 3),
            refused_before + 3);
  // The socket was neither revoked nor sent the forged frame: its next reply is its own.
  JsonDoc r = sp.Call("presence.update", R"({"status":"still here"})");
  EXPECT_EQ(r.Str({"type"}), "presence.updated") << r.text();
}

TEST_F(ClusterTest, NodeStartsWithNatsUnreachableAndServesDegraded) {
  ServerProcess c;
  ServerOptions o = NodeOptions("node_c");
  for (std::string& f : o.flags) {  // nothing listens on this port
    if (f.rfind("nats://", 0) == 0) f = "nats://127.0.0.1:" + std::to_string(FreePort());
  }
  ASSERT_TRUE(StartReady(&c, o));
  EXPECT_EQ(ReadyBody(c.port()), R"({"status":"degraded","cluster":"disconnected"})");
  EXPECT_EQ(Metric(c.port(), "asobi_cluster_connected"), 0);
  auto [p, token] = RegisterPlayer(c.port(), "cl_start_down");
  Socket s;
  EXPECT_TRUE(s.Connect(c.port(), token));
  EXPECT_TRUE(c.Stop());
}

// Issue 16 "Bad input and faults": two nodes on the suite's database whose NATS is unreachable
// (each a one-node cluster that sees no peer and owns every queue). P is queued on both; X
// seats P with Q; Y forms {P, R} but P's seat is held by X (docs/decisions.md "Seat claims"):
// P's ticket on Y is dropped and R requeued, so R plays with T instead. Once P left X's match
// (and it ended), P queues on Y again and is seated there. Then Y is killed: its seat of P
// holds (fresh heartbeat) until Y restarts under its id and drops its leftover seats.
TEST_F(ClusterTest, PartitionedNodesNeverSeatAPlayerInTwoMatches) {
  ServerProcess x, y;
  ServerOptions ox = NodeOptions("node_px"), oy = NodeOptions("node_py");
  for (ServerOptions* o : {&ox, &oy}) {
    for (std::string& f : o->flags) {  // nothing listens on these ports
      if (f.rfind("nats://", 0) == 0) f = "nats://127.0.0.1:" + std::to_string(FreePort());
    }
  }
  ASSERT_TRUE(StartReady(&x, ox));
  ASSERT_TRUE(StartReady(&y, oy));
  auto [p, tp] = RegisterPlayer(x.port(), "cl_seat_p");
  auto [q, tq] = RegisterPlayer(x.port(), "cl_seat_q");
  auto [r, tr] = RegisterPlayer(y.port(), "cl_seat_r");
  auto [t, tt] = RegisterPlayer(y.port(), "cl_seat_t");
  auto [u, tu] = RegisterPlayer(y.port(), "cl_seat_u");
  Socket px, py, sq, sr, st, su;
  ASSERT_TRUE(px.Connect(x.port(), tp));
  ASSERT_TRUE(py.Connect(y.port(), tp));
  ASSERT_TRUE(sq.Connect(x.port(), tq));
  ASSERT_TRUE(sr.Connect(y.port(), tr));
  ASSERT_TRUE(st.Connect(y.port(), tt));
  ASSERT_TRUE(su.Connect(y.port(), tu));
  const std::string demo = R"({"mode":"demo"})";
  auto queued = [](const JsonDoc& d) {
    return d.Str({"type"}).value_or("") == "matchmaker.queued";
  };

  // P waits in both nodes' queues.
  JsonDoc a1 = px.Call("matchmaker.add", demo);
  ASSERT_TRUE(queued(a1)) << a1.text();
  JsonDoc a2 = py.Call("matchmaker.add", demo);
  ASSERT_TRUE(queued(a2)) << a2.text();
  // X seats P and Q.
  JsonDoc a3 = sq.Call("matchmaker.add", demo);
  ASSERT_TRUE(queued(a3)) << a3.text();
  std::string on_x = px.Next("match.matched").Str({"payload", "match_id"}).value_or("");
  ASSERT_FALSE(on_x.empty());
  EXPECT_EQ(sq.Next("match.matched").Str({"payload", "match_id"}).value_or(""), on_x);
  EXPECT_EQ(MetricUntil(x.port(), "asobi_cluster_seat_claimed_total", 2), 2);

  // Y forms {P, R}: P's seat is X's, so P is dropped there and R goes back to the queue.
  JsonDoc a4 = sr.Call("matchmaker.add", demo);
  ASSERT_TRUE(queued(a4)) << a4.text();
  EXPECT_EQ(MetricUntil(y.port(), "asobi_cluster_seat_held_elsewhere_total", 1), 1);
  JsonDoc a5 = st.Call("matchmaker.add", demo);
  ASSERT_TRUE(queued(a5)) << a5.text();
  JsonDoc mr = sr.Next("match.matched");
  std::string on_y = mr.Str({"payload", "match_id"}).value_or("");
  ASSERT_FALSE(on_y.empty()) << mr.text();
  EXPECT_NE(on_y, on_x);
  EXPECT_EQ(st.Next("match.matched").Str({"payload", "match_id"}).value_or(""), on_y);
  EXPECT_NE(mr.text().find(r), std::string::npos) << mr.text();
  EXPECT_NE(mr.text().find(t), std::string::npos) << mr.text();
  EXPECT_EQ(mr.text().find(p), std::string::npos) << mr.text();
  // Y claimed R's seat with {P, R} (given back when P was refused), then R's and T's: P
  // never got a seat there.
  EXPECT_EQ(Metric(y.port(), "asobi_cluster_seat_claimed_total"), 3);
  EXPECT_EQ(Metric(y.port(), "asobi_cluster_seat_held_elsewhere_total"), 1);

  // P and Q leave X's match (it ends with its last player): both seats are given back.
  EXPECT_EQ(px.Call("match.leave", "{}").Str({"type"}).value_or(""), "match.left");
  EXPECT_EQ(sq.Call("match.leave", "{}").Str({"type"}).value_or(""), "match.left");
  EXPECT_EQ(MetricUntil(x.port(), "asobi_cluster_seat_released_total", 2), 2);
  // P can queue again on Y and is seated there, with U.
  JsonDoc a6 = py.Call("matchmaker.add", demo);
  ASSERT_TRUE(queued(a6)) << a6.text();
  JsonDoc a7 = su.Call("matchmaker.add", demo);
  ASSERT_TRUE(queued(a7)) << a7.text();
  JsonDoc mp = py.Next("match.matched");
  std::string again = mp.Str({"payload", "match_id"}).value_or("");
  ASSERT_FALSE(again.empty()) << mp.text();
  EXPECT_NE(again, on_y);
  EXPECT_EQ(su.Next("match.matched").Str({"payload", "match_id"}).value_or(""), again);
  EXPECT_EQ(Metric(y.port(), "asobi_cluster_seat_claimed_total"), 5);
  EXPECT_EQ(Metric(y.port(), "asobi_cluster_seat_held_elsewhere_total"), 1);
  EXPECT_EQ(Metric(x.port(), "asobi_cluster_seat_errors_total"), 0);
  EXPECT_EQ(Metric(y.port(), "asobi_cluster_seat_errors_total"), 0);
  if (HasFailure()) {
    std::fprintf(stderr, "node X log:\n%s\nnode Y log:\n%s", x.log().c_str(), y.log().c_str());
  }

  // Y dies with P seated. Its heartbeat is still fresh, so its seat holds: X does not seat P
  // with Q (P is dropped, Q waits on)...
  y.Signal(SIGKILL);
  int status = 0;
  ASSERT_TRUE(y.WaitExit(kWaitMs, &status));
  JsonDoc a8 = px.Call("matchmaker.add", demo);
  ASSERT_TRUE(queued(a8)) << a8.text();
  JsonDoc a9 = sq.Call("matchmaker.add", demo);
  ASSERT_TRUE(queued(a9)) << a9.text();
  EXPECT_EQ(MetricUntil(x.port(), "asobi_cluster_seat_held_elsewhere_total", 1), 1);
  // ...until Y restarts under its id: its first heartbeat follows the deletion of its leftover
  // seats (docs/decisions.md "Seat claims"). Then P queues again on X and plays with Q.
  ServerProcess y2;
  ASSERT_TRUE(StartReady(&y2, oy));
  int64_t beats = 0;
  for (int64_t deadline = NowMs() + kWaitMs; NowMs() < deadline && beats < 1; usleep(20 * 1000)) {
    beats = Metric(y2.port(), "asobi_cluster_seat_heartbeats_total");
  }
  ASSERT_GE(beats, 1);
  JsonDoc a10 = px.Call("matchmaker.add", demo);
  ASSERT_TRUE(queued(a10)) << a10.text();
  std::string after = px.Next("match.matched").Str({"payload", "match_id"}).value_or("");
  ASSERT_FALSE(after.empty());
  EXPECT_EQ(sq.Next("match.matched").Str({"payload", "match_id"}).value_or(""), after);
  if (HasFailure()) {
    std::fprintf(stderr, "node X log:\n%s\nnode Y (restarted) log:\n%s", x.log().c_str(),
                 y2.log().c_str());
  }
  EXPECT_TRUE(x.Stop());
  EXPECT_TRUE(y2.Stop());
}

// The lease (docs/decisions.md "Seat claims"): two partitioned nodes with a 1 s seat lease. Y
// seats P and Q, then is killed (it never restarts). Once Y's heartbeat in the database is
// older than the lease, X seats P (with R): a dead node's seats expire.
TEST_F(ClusterTest, PartitionedNodeSeatsADeadNodesPlayerAfterTheLease) {
  ServerProcess x, y;
  ServerOptions ox = NodeOptions("node_lx"), oy = NodeOptions("node_ly");
  for (ServerOptions* o : {&ox, &oy}) {
    for (std::string& f : o->flags) {  // nothing listens on these ports
      if (f.rfind("nats://", 0) == 0) f = "nats://127.0.0.1:" + std::to_string(FreePort());
    }
    o->flags.insert(o->flags.end(), {"--cluster-seat-lease-ms", "1000"});
  }
  ASSERT_TRUE(StartReady(&x, ox));
  ASSERT_TRUE(StartReady(&y, oy));
  auto [p, tp] = RegisterPlayer(x.port(), "cl_lease_p");
  auto [q, tq] = RegisterPlayer(y.port(), "cl_lease_q");
  auto [r, tr] = RegisterPlayer(x.port(), "cl_lease_r");
  Socket px, py, sq, sr;
  ASSERT_TRUE(px.Connect(x.port(), tp));
  ASSERT_TRUE(py.Connect(y.port(), tp));
  ASSERT_TRUE(sq.Connect(y.port(), tq));
  ASSERT_TRUE(sr.Connect(x.port(), tr));
  const std::string demo = R"({"mode":"demo"})";
  auto queued = [](const JsonDoc& d) {
    return d.Str({"type"}).value_or("") == "matchmaker.queued";
  };
  JsonDoc a1 = py.Call("matchmaker.add", demo);
  ASSERT_TRUE(queued(a1)) << a1.text();
  JsonDoc a2 = sq.Call("matchmaker.add", demo);
  ASSERT_TRUE(queued(a2)) << a2.text();
  ASSERT_FALSE(py.Next("match.matched").Str({"payload", "match_id"}).value_or("").empty());
  EXPECT_EQ(db_->Query("SELECT node_id FROM match_seats WHERE player_id = '" + p + "'"), "node_ly");

  y.Signal(SIGKILL);
  int status = 0;
  ASSERT_TRUE(y.WaitExit(kWaitMs, &status));
  // Y's heartbeat ages past the lease (or X's heartbeat already deleted it with Y's seats).
  std::optional<std::string> live;
  for (int64_t deadline = NowMs() + kWaitMs; NowMs() < deadline; usleep(50 * 1000)) {
    live = db_->Query(
        "SELECT count(*) FROM seat_nodes WHERE node_id = 'node_ly' AND "
        "heartbeat_at > now() - interval '1 second'");
    if (live == "0") break;
  }
  ASSERT_EQ(live, "0");
  JsonDoc a3 = px.Call("matchmaker.add", demo);
  ASSERT_TRUE(queued(a3)) << a3.text();
  JsonDoc a4 = sr.Call("matchmaker.add", demo);
  ASSERT_TRUE(queued(a4)) << a4.text();
  std::string on_x = px.Next("match.matched").Str({"payload", "match_id"}).value_or("");
  ASSERT_FALSE(on_x.empty());
  EXPECT_EQ(sr.Next("match.matched").Str({"payload", "match_id"}).value_or(""), on_x);
  EXPECT_EQ(db_->Query("SELECT node_id FROM match_seats WHERE player_id = '" + p + "'"), "node_lx");
  EXPECT_EQ(Metric(x.port(), "asobi_cluster_seat_held_elsewhere_total"), 0);
  EXPECT_EQ(Metric(x.port(), "asobi_cluster_seat_errors_total"), 0);
  EXPECT_GE(Metric(x.port(), "asobi_cluster_seat_heartbeats_total"), 1);
  if (HasFailure()) {
    std::fprintf(stderr, "node X log:\n%s\nnode Y log:\n%s", x.log().c_str(), y.log().c_str());
  }
  EXPECT_TRUE(x.Stop());
}

// Issue 16 item 4: frames of a match on another node come back once per node. Both players
// are on node_b, the group goes to node_a3 (node_a, the queue's owner, holds four sockets so
// its load is higher; node_a3 and node_b tie and node_a3 comes first): the one match.matched
// broadcast crosses the bus once for the two proxies, the second as a repeat.
// Then a group placed on another node that loses a busy member is put back in the owner's
// queue: P (in that match on node_a3, which node_a does not see) queues again over REST with
// R; the placing node finds P seated and reports R back, R waits on and is matched with S.
TEST_F(ClusterTest, XBroadcastToTwoProxiesOfOneNodeCrossesOnce) {
  auto [f, tf] = RegisterPlayer(a_->port(), "cl_rep_f");
  auto [p, tp] = RegisterPlayer(b_->port(), "cl_rep_p");
  auto [q, tq] = RegisterPlayer(b_->port(), "cl_rep_q");
  auto [r, tr] = RegisterPlayer(b_->port(), "cl_rep_r");
  auto [s, ts] = RegisterPlayer(b_->port(), "cl_rep_s");
  Socket sf[4], sp, sq, sr, ss;
  for (Socket& x : sf) ASSERT_TRUE(x.Connect(a_->port(), tf));
  ASSERT_TRUE(sr.Connect(b_->port(), tr));
  ASSERT_TRUE(ss.Connect(b_->port(), ts));
  ASSERT_TRUE(sp.Connect(b_->port(), tp));
  ASSERT_TRUE(sq.Connect(b_->port(), tq));
  ServerProcess d;
  ASSERT_TRUE(StartReady(&d, NodeOptions("node_a3")));
  ASSERT_EQ(MetricUntil(a_->port(), "asobi_cluster_peers", 2), 2);
  ASSERT_EQ(MetricUntil(b_->port(), "asobi_cluster_peers", 2), 2);
  ASSERT_EQ(MetricUntil(d.port(), "asobi_cluster_peers", 2), 2);

  JsonDoc qp = sp.Call("matchmaker.add", R"({"mode":"demo"})");
  ASSERT_EQ(qp.Str({"type"}).value_or(""), "matchmaker.queued") << qp.text();
  JsonDoc qq = sq.Call("matchmaker.add", R"({"mode":"demo"})");
  ASSERT_EQ(qq.Str({"type"}).value_or(""), "matchmaker.queued") << qq.text();
  JsonDoc mp = sp.Next("match.matched");
  JsonDoc mq = sq.Next("match.matched");
  std::string match_id = mp.Str({"payload", "match_id"}).value_or("");
  ASSERT_FALSE(match_id.empty()) << mp.text();
  EXPECT_EQ(mq.text(), mp.text());  // the same broadcast, byte for byte
  EXPECT_NE(mp.text().find(p), std::string::npos) << mp.text();
  EXPECT_NE(mp.text().find(q), std::string::npos) << mp.text();
  EXPECT_EQ(Metric(d.port(), "asobi_cluster_play_proxies_total"), 2);
  EXPECT_GE(Metric(d.port(), "asobi_cluster_play_frames_sent_total"), 2);
  EXPECT_GE(Metric(d.port(), "asobi_cluster_play_frames_repeated_total"), 1);
  // Per-player states (each names its own player) are not repeats, and still arrive.
  EXPECT_FALSE(sp.Next("match.state").text().empty());
  EXPECT_FALSE(sq.Next("match.state").text().empty());

  const int64_t requeued_before = Metric(a_->port(), "asobi_cluster_play_requeued_total");
  HttpResponse again = HttpCall(b_->port(), "POST", "/api/v1/matchmaker", R"({"mode":"demo"})", tp);
  ASSERT_EQ(again.status, 200) << again.body;  // node_a does not see P's match on node_a3
  JsonDoc qr = sr.Call("matchmaker.add", R"({"mode":"demo"})");
  ASSERT_EQ(qr.Str({"type"}).value_or(""), "matchmaker.queued") << qr.text();
  EXPECT_EQ(MetricUntil(a_->port(), "asobi_cluster_play_requeued_total", requeued_before + 1),
            requeued_before + 1);
  // P's dropped ticket reads `failed` on the owner (it stayed `matched` without a match id).
  const std::string p_ticket = ParseBody(again).Str({"ticket_id"}).value_or("");
  ASSERT_FALSE(p_ticket.empty()) << again.body;
  JsonDoc pst;
  for (int64_t deadline = NowMs() + kWaitMs; NowMs() < deadline; usleep(20 * 1000)) {
    pst = ParseBody(HttpCall(b_->port(), "GET", "/api/v1/matchmaker/" + p_ticket, "", tp));
    if (pst.Str({"status"}).value_or("") == "failed") break;
  }
  EXPECT_EQ(pst.Str({"status"}).value_or(""), "failed") << pst.text();
  EXPECT_FALSE(pst.Has({"match_id"})) << pst.text();
  JsonDoc qs = ss.Call("matchmaker.add", R"({"mode":"demo"})");
  ASSERT_EQ(qs.Str({"type"}).value_or(""), "matchmaker.queued") << qs.text();
  JsonDoc mr = sr.Next("match.matched");
  std::string rs_match = mr.Str({"payload", "match_id"}).value_or("");
  ASSERT_FALSE(rs_match.empty()) << mr.text();
  EXPECT_NE(mr.text().find(s), std::string::npos) << mr.text();
  EXPECT_EQ(ss.Next("match.matched").Str({"payload", "match_id"}).value_or(""), rs_match);
  EXPECT_FALSE(sr.Saw("match.matchmaker_failed"));

  for (Socket* x : {&sp, &sq, &sr, &ss}) x->Send("match.leave", "{}");
  EXPECT_TRUE(d.Stop());
  EXPECT_EQ(MetricUntil(a_->port(), "asobi_cluster_peers", 1), 1);
  EXPECT_EQ(MetricUntil(b_->port(), "asobi_cluster_peers", 1), 1);
}

// Issue 16 item 4: matchmaking across nodes with both players proxied. The queue owner is
// node_a (smallest id); node_a2 holds no socket, so its announced load (0) is the smallest and,
// being the first peer in id order, it gets the group. Both players play through proxies
// there; when node_a2 is killed, each hears match.finished {status: node_lost} from its own
// node.
TEST_F(ClusterTest, YMatchOnAThirdNodeIsPlayedThroughProxiesAndLostWithIt) {
  auto [p, tp] = RegisterPlayer(a_->port(), "cl_mm_p");
  auto [q, tq] = RegisterPlayer(b_->port(), "cl_mm_q");
  Socket sp, sq;
  ASSERT_TRUE(sp.Connect(a_->port(), tp));
  ASSERT_TRUE(sq.Connect(b_->port(), tq));
  ServerProcess d;
  ASSERT_TRUE(StartReady(&d, NodeOptions("node_a2")));
  ASSERT_EQ(MetricUntil(a_->port(), "asobi_cluster_peers", 2), 2);
  ASSERT_EQ(MetricUntil(b_->port(), "asobi_cluster_peers", 2), 2);
  ASSERT_EQ(MetricUntil(d.port(), "asobi_cluster_peers", 2), 2);

  const int64_t sent_before = Metric(a_->port(), "asobi_cluster_play_groups_sent_total");
  JsonDoc qp = sp.Call("matchmaker.add", R"({"mode":"demo"})");
  ASSERT_EQ(qp.Str({"type"}).value_or(""), "matchmaker.queued") << qp.text();
  JsonDoc qq = sq.Call("matchmaker.add", R"({"mode":"demo"})");  // forwarded to node_a
  ASSERT_EQ(qq.Str({"type"}).value_or(""), "matchmaker.queued") << qq.text();
  JsonDoc mp = sp.Next("match.matched");
  JsonDoc mq = sq.Next("match.matched");
  std::string match_id = mp.Str({"payload", "match_id"}).value_or("");
  ASSERT_FALSE(match_id.empty()) << mp.text();
  EXPECT_EQ(mq.Str({"payload", "match_id"}).value_or(""), match_id) << mq.text();
  EXPECT_EQ(Metric(d.port(), "asobi_cluster_play_proxies_total"), 2);
  EXPECT_EQ(Metric(a_->port(), "asobi_cluster_play_groups_sent_total"), sent_before + 1);

  // GET /matchmaker/:ticket_id on the player's node reads the ticket on the queue's node
  // (node_a), which learns the match id from node_a2's placement report.
  std::string ticket = qq.Str({"payload", "ticket_id"}).value_or("");
  ASSERT_FALSE(ticket.empty()) << qq.text();
  JsonDoc st;
  for (int64_t deadline = NowMs() + kWaitMs; NowMs() < deadline; usleep(20 * 1000)) {
    st = ParseBody(HttpCall(b_->port(), "GET", "/api/v1/matchmaker/" + ticket, "", tq));
    if (st.Str({"match_id"}).has_value()) break;  // the report may trail match.matched
  }
  EXPECT_EQ(st.Str({"id"}).value_or(""), ticket) << st.text();
  EXPECT_EQ(st.Str({"mode"}).value_or(""), "demo") << st.text();
  EXPECT_EQ(st.Str({"status"}).value_or(""), "matched") << st.text();
  EXPECT_EQ(st.Str({"match_id"}).value_or(""), match_id) << st.text();
  EXPECT_GT(st.Int({"submitted_at"}).value_or(0), 0) << st.text();
  HttpResponse other = HttpCall(b_->port(), "GET", "/api/v1/matchmaker/" + ticket, "", tp);
  EXPECT_EQ(other.status, 403) << other.body;
  HttpResponse none = HttpCall(b_->port(), "GET", "/api/v1/matchmaker/0190-no-such", "", tq);
  EXPECT_EQ(none.status, 404) << none.body;
  EXPECT_NE(none.body.find("matchmaker.ticket_not_found"), std::string::npos) << none.body;

  // Inputs cross to node_a2 and its states come back to both nodes.
  sp.Send("match.input", R"({"move_x":1,"move_y":0})");
  EXPECT_FALSE(sp.Next("match.state").text().empty());
  EXPECT_FALSE(sq.Next("match.state").text().empty());
  EXPECT_GE(MetricUntil(d.port(), "asobi_cluster_play_ops_total", 1), 1);

  d.Signal(SIGKILL);
  int status = 0;
  ASSERT_TRUE(d.WaitExit(kWaitMs, &status));
  for (Socket* s : {&sp, &sq}) {
    JsonDoc f = s->Next("match.finished");
    EXPECT_EQ(f.Str({"payload", "match_id"}).value_or(""), match_id) << f.text();
    EXPECT_EQ(f.Str({"payload", "result", "status"}).value_or(""), "node_lost") << f.text();
  }
  // Unbound: an input now gets the not_in_match hint from the player's own node.
  sp.Send("match.input", R"({"move_x":0})");
  JsonDoc hint = sp.Next("error");
  EXPECT_TRUE(IsWsError(hint, "not_in_match", "match.not_in_match", std::nullopt)) << hint.text();
}

// Last: kills NATS.
TEST_F(ClusterTest, ZNodeWithoutNatsServesLocalPlayersReportsDegradedAndReconnects) {
  EXPECT_EQ(ReadyBody(b_->port()), R"({"status":"ready"})");
  nats_->Kill();
  EXPECT_EQ(ReadyUntil(b_->port(), R"({"status":"degraded","cluster":"disconnected"})"),
            R"({"status":"degraded","cluster":"disconnected"})");
  // Local players on B still register, connect and talk.
  auto [x, tx] = RegisterPlayer(b_->port(), "cl_local_x");
  auto [y, ty] = RegisterPlayer(b_->port(), "cl_local_y");
  Socket sx, sy;
  ASSERT_TRUE(sx.Connect(b_->port(), tx));
  ASSERT_TRUE(sy.Connect(b_->port(), ty));
  JsonDoc r = sx.Call("dm.send", R"({"recipient_id":)" + Quote(y) + R"(,"content":"local"})");
  ASSERT_EQ(r.Str({"type"}).value_or(""), "dm.sent") << r.text();
  EXPECT_EQ(sy.Next("dm.message").Str({"payload", "content"}), "local");
  // NATS comes back on the same port: cnats reconnects, /ready is ready again.
  ASSERT_TRUE(nats_->Start(nats_port_));
  EXPECT_EQ(ReadyUntil(b_->port(), R"({"status":"ready"})"), R"({"status":"ready"})");
  EXPECT_EQ(ReadyUntil(a_->port(), R"({"status":"ready"})"), R"({"status":"ready"})");
  EXPECT_GE(Metric(b_->port(), "asobi_cluster_reconnects_total"), 1);
}

}  // namespace
}  // namespace asobi::itest

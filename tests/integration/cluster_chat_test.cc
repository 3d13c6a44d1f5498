// Chat across the nodes of a cluster (issue 16 item 3; websocket.md §8.2-8.4): two real asobi
// nodes on one PostgreSQL and one nats-server (started here on a free port). A channel with
// members on both nodes delivers every message to every member once; a node subscribes to the
// channel's subject only while it has local members (asobi_chat_bus_channels); messages from
// the other node are counted (asobi_chat_bus_received_total) and stop once it left.
// (DMs across nodes: the cluster bus's own test, tests/integration/cluster_test.cc.)
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <deque>
#include <fstream>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "http_call.h"
#include "itest_clock.h"
#include "itest_suite.h"
#include "json_doc.h"
#include "pg_test_db.h"
#include "server_harness.h"
#include "ws_client.h"

namespace asobi::itest {
namespace {

constexpr int kWaitMs = 5000;  // bounds a misbehaving server only

// A nats-server child on 127.0.0.1 and a port it picks (-p -1), read from its log file.
class NatsServer {
 public:
  ~NatsServer() { Stop(); }
  ::testing::AssertionResult Start() {
    const char* candidates[] = {"/usr/sbin/nats-server", "/usr/bin/nats-server"};
    std::string bin;
    for (const char* c : candidates) {
      if (access(c, X_OK) == 0) bin = c;
    }
    if (bin.empty()) {
      return ::testing::AssertionFailure() << "nats-server not installed (tools/setup.sh)";
    }
    char tmpl[] = "/tmp/asobi_nats_XXXXXX";
    int fd = mkstemp(tmpl);
    if (fd < 0) return ::testing::AssertionFailure() << "mkstemp";
    close(fd);
    log_path_ = tmpl;
    pid_ = fork();
    if (pid_ == 0) {
      int null_fd = open("/dev/null", O_RDWR);
      dup2(null_fd, 1);
      dup2(null_fd, 2);
      execl(bin.c_str(), bin.c_str(), "-a", "127.0.0.1", "-p", "-1", "-l", log_path_.c_str(),
            static_cast<char*>(nullptr));
      _exit(127);
    }
    const std::string needle = "Listening for client connections on 127.0.0.1:";
    int64_t deadline = NowMs() + kWaitMs;
    while (NowMs() < deadline) {
      std::ifstream in(log_path_);
      std::stringstream ss;
      ss << in.rdbuf();
      std::string text = ss.str();
      size_t at = text.find(needle);
      if (at != std::string::npos) {
        port_ = std::atoi(text.c_str() + at + needle.size());
        if (port_ > 0) return ::testing::AssertionSuccess();
      }
      usleep(20 * 1000);
    }
    return ::testing::AssertionFailure() << "nats-server did not log its port";
  }
  void Stop() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
      pid_ = -1;
    }
    if (!log_path_.empty()) unlink(log_path_.c_str());
    log_path_.clear();
  }
  std::string url() const { return "nats://127.0.0.1:" + std::to_string(port_); }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  std::string log_path_;
};

// One player on one node; keeps pushes it skipped while waiting for a reply.
class Player {
 public:
  std::string id, token, node;

  ::testing::AssertionResult Connect(uint16_t port) {
    ::testing::AssertionResult opened = ws_.Open(port);
    if (!opened) return opened;
    JsonDoc reply = Call("session.connect", R"({"token":")" + token + R"("})");
    if (reply.Str({"type"}).value_or("") != "session.connected") {
      return ::testing::AssertionFailure() << "session.connect: " << reply.text();
    }
    return ::testing::AssertionSuccess();
  }
  JsonDoc Call(const std::string& type, const std::string& payload_json) {
    std::string cid = std::to_string(++cid_);
    ws_.SendText(R"({"type":")" + type + R"(","cid":")" + cid + R"(","payload":)" + payload_json +
                 "}");
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
  void Say(const std::string& channel, const std::string& content) {
    ws_.SendText(R"({"type":"chat.send","payload":{"channel_id":")" + channel + R"(","content":")" +
                 content + R"("}})");
  }
  // The content of the next chat.message, or nullopt after `timeout_ms`.
  std::optional<std::string> NextChat(int timeout_ms = kWaitMs) {
    while (!backlog_.empty()) {
      JsonDoc d = std::move(backlog_.front());
      backlog_.pop_front();
      if (d.Str({"type"}).value_or("") == "chat.message") return d.Str({"payload", "content"});
    }
    int64_t deadline = NowMs() + timeout_ms;
    while (NowMs() < deadline) {
      JsonDoc d;
      if (!ws_.RecvJson(&d, int(deadline - NowMs()))) return std::nullopt;
      if (d.Str({"type"}).value_or("") == "chat.message") return d.Str({"payload", "content"});
    }
    return std::nullopt;
  }
  // Waits until every content of `want` arrived (probes skipped); false on a duplicate, an
  // unexpected message or the deadline.
  ::testing::AssertionResult Expect(std::set<std::string> want) {
    std::set<std::string> seen;
    while (!want.empty()) {
      std::optional<std::string> c = NextChat();
      if (!c) return ::testing::AssertionFailure() << id << " on " << node << ": timed out";
      if (c->rfind("probe", 0) == 0) continue;
      if (!seen.insert(*c).second) {
        return ::testing::AssertionFailure() << id << ": got " << *c << " twice";
      }
      if (want.erase(*c) == 0) return ::testing::AssertionFailure() << id << ": unexpected " << *c;
    }
    return ::testing::AssertionSuccess();
  }

 private:
  WsClient ws_;
  std::deque<JsonDoc> backlog_;
  int cid_ = 0;
};

int64_t Metric(uint16_t port, const std::string& name) {
  HttpResponse r = HttpCall(port, "GET", "/metrics");
  EXPECT_EQ(r.status, 200) << r.body;
  std::istringstream in(r.body);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(name + " ", 0) == 0) return std::atoll(line.c_str() + name.size() + 1);
  }
  ADD_FAILURE() << "no metric " << name;
  return -1;
}

// Polls `name` on `port` until it equals `want` (the owner shard updates it after the reply).
::testing::AssertionResult MetricBecomes(uint16_t port, const std::string& name, int64_t want) {
  int64_t deadline = NowMs() + kWaitMs;
  int64_t v = Metric(port, name);
  while (v != want && NowMs() < deadline) {
    usleep(20 * 1000);
    v = Metric(port, name);
  }
  if (v == want) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << name << " = " << v << ", want " << want;
}

class ClusterChatTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    db_ = new TestDatabase();
    ASSERT_TRUE(db_->ok()) << db_->error();
    nats_ = new NatsServer();
    ASSERT_TRUE(nats_->Start());
    for (int i = 0; i < 2; ++i) {
      nodes_[i] = new ServerProcess();
      ServerOptions opts;
      opts.flags = db_->ServerFlags();
      opts.flags.insert(opts.flags.end(),
                        {"--rate-limits", "register=1000/1000,auth=1000/1000", "--cluster-nats",
                         nats_->url(), "--cluster-node-id", i == 0 ? "node-a" : "node-b"});
      ASSERT_TRUE(StartReady(nodes_[i], opts));
    }
  }
  static void TearDownTestSuite() {
    for (ServerProcess*& n : nodes_) {
      if (n != nullptr) {
        EXPECT_TRUE(n->Stop());
      }
      delete n;
      n = nullptr;
    }
    delete nats_;
    nats_ = nullptr;
    delete db_;
    db_ = nullptr;
  }
  void TearDown() override {
    if (!HasFailure()) return;
    for (ServerProcess* n : nodes_) {
      if (n != nullptr) std::fprintf(stderr, "node log:\n%s", n->log().c_str());
    }
  }

  static std::unique_ptr<Player> NewPlayer(int node) {
    static int n = 0;
    auto p = std::make_unique<Player>();
    std::tie(p->id, p->token) =
        RegisterPlayer(nodes_[node]->port(), "cluster_chat_" + std::to_string(++n));
    p->node = node == 0 ? "node-a" : "node-b";
    EXPECT_TRUE(p->Connect(nodes_[node]->port()));
    return p;
  }
  static void Join(Player& p, const std::string& channel) {
    JsonDoc j = p.Call("chat.join", R"({"channel_id":")" + channel + R"("})");
    ASSERT_EQ(j.Str({"type"}).value_or(""), "chat.joined") << j.text();
  }
  // chat.joined promises local delivery; across nodes, delivery starts once the joining node's
  // subscription reached NATS. Sends probes from `from` until `to` hears one (bounded).
  static ::testing::AssertionResult Established(Player& from, Player& to,
                                                const std::string& channel) {
    for (int i = 0; i < 100; ++i) {
      from.Say(channel, "probe" + std::to_string(i));
      std::optional<std::string> c = to.NextChat(50);
      if (c && c->rfind("probe", 0) == 0) return ::testing::AssertionSuccess();
    }
    return ::testing::AssertionFailure()
           << "no probe crossed from " << from.node << " to " << to.node;
  }
  static uint16_t port(int i) { return nodes_[i]->port(); }

  static inline TestDatabase* db_ = nullptr;
  static inline NatsServer* nats_ = nullptr;
  static inline ServerProcess* nodes_[2] = {nullptr, nullptr};
};

TEST_F(ClusterChatTest, ChannelWithMembersOnBothNodes) {
  const std::string ch = "global:lobby";
  ASSERT_TRUE(MetricBecomes(port(1), "asobi_chat_bus_channels", 0));
  auto a1 = NewPlayer(0), a2 = NewPlayer(0), b1 = NewPlayer(1), b2 = NewPlayer(1);
  for (Player* p : {a1.get(), a2.get(), b1.get(), b2.get()}) Join(*p, ch);
  // Each node now subscribes to the channel's subject once (not once per member or shard).
  EXPECT_TRUE(MetricBecomes(port(0), "asobi_chat_bus_channels", 1));
  EXPECT_TRUE(MetricBecomes(port(1), "asobi_chat_bus_channels", 1));
  ASSERT_TRUE(Established(*a1, *b1, ch));
  ASSERT_TRUE(Established(*b1, *a1, ch));

  // A message from each node reaches all four members, each exactly once, sender included.
  a1->Say(ch, "from-a");
  b2->Say(ch, "from-b");
  for (Player* p : {a1.get(), a2.get(), b1.get(), b2.get()}) {
    EXPECT_TRUE(p->Expect({"from-a", "from-b"}));
  }
  EXPECT_GE(Metric(port(0), "asobi_chat_bus_received_total"), 1);
  EXPECT_EQ(Metric(port(0), "asobi_chat_bus_refused_total"), 0);
}

TEST_F(ClusterChatTest, NodeUnsubscribesWhenItsLastMemberLeaves) {
  const std::string ch = "global:demo";
  auto a = NewPlayer(0), b = NewPlayer(1);
  Join(*a, ch);
  Join(*b, ch);
  ASSERT_TRUE(MetricBecomes(port(1), "asobi_chat_bus_channels", 1));
  ASSERT_TRUE(Established(*a, *b, ch));

  // b leaves: node B drops the subject; A's members still get A's messages.
  JsonDoc left = b->Call("chat.leave", R"({"channel_id":")" + ch + R"("})");
  ASSERT_EQ(left.Str({"type"}).value_or(""), "chat.left") << left.text();
  ASSERT_TRUE(MetricBecomes(port(1), "asobi_chat_bus_channels", 0));
  int64_t b_received = Metric(port(1), "asobi_chat_bus_received_total");
  a->Say(ch, "after-leave");
  EXPECT_TRUE(a->Expect({"after-leave"}));
  // A heartbeat round trip on b, then nothing: B neither delivered nor received it.
  b->Call("session.heartbeat", "{}");
  EXPECT_FALSE(b->NextChat(0).has_value());
  EXPECT_EQ(Metric(port(1), "asobi_chat_bus_received_total"), b_received);

  // A socket that closes counts as leaving too: a's node drops the subject.
  a.reset();
  EXPECT_TRUE(MetricBecomes(port(0), "asobi_chat_bus_channels", 0));
}

}  // namespace
}  // namespace asobi::itest

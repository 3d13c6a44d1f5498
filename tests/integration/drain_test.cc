// Start-up and shutdown of a node among others (issue 16 item 5; docs/decisions.md "Start-up
// waits for migrations" and "SIGTERM drain"), against the real binary and PostgreSQL:
// - three nodes started together on one fresh database all come up, each migration applied
//   once (the migrator holds an advisory lock), and nothing reads a table before it exists;
// - a persistent world comes up once a pending migration is applied;
// - SIGTERM: /ready answers 503 draining, queued tickets leave with match.matchmaker_expired,
//   new sockets and new tickets are refused with not_ready, a running match plays on until it
//   finishes, then the process exits 0; a second SIGTERM ends the drain at once.
#include <dirent.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "db/migrations.h"
#include "http_call.h"
#include "http_client.h"
#include "itest_clock.h"
#include "itest_suite.h"
#include "json_doc.h"
#include "pg_test_db.h"
#include "server_harness.h"
#include "ws_client.h"

namespace asobi::itest {
namespace {

constexpr int kWaitMs = 10000;  // bounds a misbehaving server only

// A 2-player match that finishes on the tick after a player sends {"finish":true}.
constexpr char kDuel[] = R"(
match_size = 2
function init() return { n = 0 } end
function join(p, s) return s end
function leave(p, s) return s end
function handle_input(p, i, s)
  if i.finish then s.finish = true end
  return s
end
function tick(s)
  s.n = s.n + 1
  if s.finish then
    s._finished = true
    s._result = { ok = true }
  end
  return s
end
function get_state(p, s) return { n = s.n } end
)";

// The same with 3 players: one player queues and stays queued.
std::string Trio() {
  std::string s = kDuel;
  s.replace(s.find("match_size = 2"), 14, "match_size = 3");
  return s;
}

// A persistent world (its rows live in persistent_worlds / zone_snapshots).
constexpr char kWorld[] = R"(
game_type = "world"
match_size = 1
max_players = 4
grid_size = 2
zone_size = 100
tick_rate = 50
persistent = true
function init(config) return {} end
function join(id, state) return state end
function leave(id, state) return state end
function spawn_position(id, state) return { x = 50, y = 50 } end
function zone_tick(entities, zone_state) return entities, zone_state end
function handle_input(id, input, entities) return entities end
)";

constexpr char kConfig[] = R"(return { duel = "duel.lua", trio = "trio.lua", pw = "pw.lua" })";

const std::string kLockKey = std::to_string(db::kMigrationLockKey);

// Log lines that mean a start-up step read a table before the migrations created it, or that
// the migrations collided.
constexpr const char* kBadLogLines[] = {"migrations failed", "prepare failed",
                                        "persistent worlds not loaded"};

// One authenticated WebSocket player that keeps the pushes it read past.
class Player {
 public:
  ::testing::AssertionResult Connect(uint16_t port, const std::string& token) {
    if (auto r = ws_.Open(port); !r) return r;
    JsonDoc c = Call("session.connect", R"({"token":")" + token + "\"}");
    if (c.Str({"type"}).value_or("") != "session.connected") {
      return ::testing::AssertionFailure() << "session.connect: " << c.text();
    }
    return ::testing::AssertionSuccess();
  }
  JsonDoc Call(const std::string& type, const std::string& payload) {
    std::string cid("c");
    cid.append(std::to_string(++n_));
    EXPECT_TRUE(ws_.SendText(R"({"type":")" + type + R"(","cid":")" + cid + R"(","payload":)" +
                             payload + "}"));
    const int64_t deadline = NowMs() + kWaitMs;
    while (NowMs() < deadline) {
      JsonDoc d;
      if (!ws_.RecvJson(&d, int(deadline - NowMs()))) break;
      if (d.Str({"cid"}).value_or("") == cid) return d;
      pushes_.push_back(std::move(d));
    }
    ADD_FAILURE() << "no reply to " << type;
    return JsonDoc();
  }
  void Send(const std::string& type, const std::string& payload) {
    EXPECT_TRUE(ws_.SendText(R"({"type":")" + type + R"(","payload":)" + payload + "}"));
  }
  // Reads frames (kept pushes first) until one of `type` arrives; a test failure after kWaitMs.
  JsonDoc WaitFor(const std::string& type) {
    for (size_t i = 0; i < pushes_.size(); ++i) {
      if (pushes_[i].Str({"type"}).value_or("") == type) {
        JsonDoc d = std::move(pushes_[i]);
        pushes_.erase(pushes_.begin() + long(i));
        return d;
      }
    }
    const int64_t deadline = NowMs() + kWaitMs;
    while (NowMs() < deadline) {
      JsonDoc d;
      if (!ws_.RecvJson(&d, int(deadline - NowMs()))) break;
      if (d.Str({"type"}).value_or("") == type) return d;
    }
    ADD_FAILURE() << "timed out waiting for " << type;
    return JsonDoc();
  }
  // Drops the pushes read so far (so that WaitFor sees only later frames).
  void ForgetPushes() { pushes_.clear(); }

 private:
  WsClient ws_;
  std::vector<JsonDoc> pushes_;
  int n_ = 0;
};

int CountSqlFiles(const std::string& dir) {
  int n = 0;
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return -1;
  while (dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name.size() > 4 && name.compare(name.size() - 4, 4, ".sql") == 0) ++n;
  }
  closedir(d);
  return n;
}

std::string SourceMigrationsDir() {
  const char* root = std::getenv("ASOBI_SOURCE_ROOT");
  return std::string(root ? root : ".") + "/src/db/migrations";
}

// Polls GET `path` until it answers `status` (bounded by kWaitMs).
bool WaitForStatus(uint16_t port, const std::string& path, int status,
                   const std::string& bearer = "") {
  const int64_t deadline = NowMs() + kWaitMs;
  while (NowMs() < deadline) {
    if (HttpCall(port, "GET", path, "", bearer).status == status) return true;
  }
  return false;
}

::testing::AssertionResult NoBadLines(const ServerProcess& s) {
  const std::string log = s.log();
  for (const char* bad : kBadLogLines) {
    if (log.find(bad) != std::string::npos) {
      return ::testing::AssertionFailure() << "log has '" << bad << "':\n" << log;
    }
  }
  return ::testing::AssertionSuccess();
}

class DrainTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(MakeGameDir(
        "/tmp/asobi_drain_itest_XXXXXX",
        {{"duel.lua", kDuel}, {"trio.lua", Trio()}, {"pw.lua", kWorld}, {"config.lua", kConfig}}));
  }
  static void TearDownTestSuite() {
    RemoveDir(*dir_);
    delete dir_;
    dir_ = nullptr;
  }
  static ServerOptions Options(const TestDatabase& db, std::vector<std::string> extra = {}) {
    ServerOptions o;
    o.flags = db.ServerFlags();
    o.flags.insert(o.flags.end(), {"--game-dir", *dir_, "--rate-limits",
                                   "register=1000/1000,auth=1000/1000,api=100000/1000"});
    o.flags.insert(o.flags.end(), extra.begin(), extra.end());
    return o;
  }
  static inline std::string* dir_ = nullptr;
};

TEST_F(DrainTest, ThreeNodesStartingTogetherOnAFreshDatabaseAllComeUp) {
  TestDatabase db;
  ASSERT_TRUE(db.ok()) << db.error();
  // The test holds the migration lock: every node's migrator queues behind it, so all three
  // contend for it together once it is released.
  ASSERT_TRUE(db.Query("SELECT pg_advisory_lock(" + kLockKey + ")").has_value()) << db.error();
  ServerProcess nodes[3];
  for (ServerProcess& n : nodes) ASSERT_TRUE(n.Start(Options(db)));
  for (ServerProcess& n : nodes) {
    HttpResponse r = HttpCall(n.port(), "GET", "/ready");
    EXPECT_EQ(r.status, 503) << r.body;
  }
  ASSERT_TRUE(db.Query("SELECT pg_advisory_unlock(" + kLockKey + ")").has_value()) << db.error();
  for (ServerProcess& n : nodes) {
    EXPECT_TRUE(WaitForStatus(n.port(), "/ready", 200)) << n.log();
  }
  const int files = CountSqlFiles(SourceMigrationsDir());
  ASSERT_GT(files, 0);
  EXPECT_EQ(db.Query("SELECT count(*) FROM schema_migrations"), std::to_string(files));
  EXPECT_EQ(db.Query("SELECT count(DISTINCT version) FROM schema_migrations"),
            std::to_string(files));
  for (ServerProcess& n : nodes) {
    EXPECT_TRUE(NoBadLines(n));
    EXPECT_TRUE(n.Stop());
  }
}

TEST_F(DrainTest, APersistentWorldComesUpOnceAPendingMigrationIsApplied) {
  TestDatabase db;
  ASSERT_TRUE(db.ok()) << db.error();
  std::string token, world_id;
  {
    ServerProcess first;
    ASSERT_TRUE(StartReady(&first, Options(db)));
    token = RegisterPlayer(first.port(), "drain_world").second;
    Player p;
    ASSERT_TRUE(p.Connect(first.port(), token));
    JsonDoc joined = p.Call("world.create", R"({"mode":"pw"})");
    ASSERT_EQ(joined.Str({"type"}).value_or(""), "world.joined") << joined.text();
    world_id = joined.Str({"payload", "world_id"}).value_or("");
    ASSERT_TRUE(first.Stop());
  }
  // The bundled migrations plus one the database does not have yet.
  std::vector<std::pair<std::string, std::string>> files;
  DIR* d = opendir(SourceMigrationsDir().c_str());
  ASSERT_NE(d, nullptr);
  while (dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name.size() <= 4 || name.compare(name.size() - 4, 4, ".sql") != 0) continue;
    std::ifstream in(SourceMigrationsDir() + "/" + name);
    files.emplace_back(name, std::string(std::istreambuf_iterator<char>(in), {}));
  }
  closedir(d);
  files.emplace_back("99999999999999_drain_itest_pending.sql",
                     "CREATE TABLE drain_itest_pending (id INT);");
  const std::string migrations = MakeGameDir("/tmp/asobi_drain_migrations_XXXXXX", files);
  ASSERT_TRUE(db.Query("SELECT pg_advisory_lock(" + kLockKey + ")").has_value()) << db.error();
  ServerProcess second;
  ASSERT_TRUE(second.Start(Options(db, {"--migrations-dir", migrations})));
  // The migration cannot run while the test holds the lock: the node is not ready and the
  // world is not loaded yet.
  EXPECT_EQ(HttpCall(second.port(), "GET", "/ready").status, 503);
  EXPECT_NE(HttpCall(second.port(), "GET", "/api/v1/worlds/" + world_id, "", token).status, 200);
  ASSERT_TRUE(db.Query("SELECT pg_advisory_unlock(" + kLockKey + ")").has_value()) << db.error();
  EXPECT_TRUE(WaitForStatus(second.port(), "/ready", 200)) << second.log();
  EXPECT_TRUE(WaitForStatus(second.port(), "/api/v1/worlds/" + world_id, 200, token))
      << second.log();
  EXPECT_EQ(db.Query("SELECT count(*) FROM schema_migrations WHERE version = 99999999999999"), "1");
  EXPECT_TRUE(NoBadLines(second));
  EXPECT_TRUE(second.Stop());
  RemoveDir(migrations);
}

TEST_F(DrainTest, SigtermLetsARunningMatchFinishAndRefusesNewWork) {
  TestDatabase db;
  ASSERT_TRUE(db.ok()) << db.error();
  ServerProcess server;
  ServerOptions o = Options(db);
  o.drain_timeout_ms = 60000;  // far beyond the match: the exit comes from the match's end
  ASSERT_TRUE(StartReady(&server, o));
  const std::string ta = RegisterPlayer(server.port(), "drain_a").second;
  const std::string tb = RegisterPlayer(server.port(), "drain_b").second;
  const std::string tc = RegisterPlayer(server.port(), "drain_c").second;
  Player a, b, c;
  ASSERT_TRUE(a.Connect(server.port(), ta));
  ASSERT_TRUE(b.Connect(server.port(), tb));
  ASSERT_TRUE(c.Connect(server.port(), tc));
  ASSERT_EQ(a.Call("matchmaker.add", R"({"mode":"duel"})").Str({"type"}), "matchmaker.queued");
  ASSERT_EQ(b.Call("matchmaker.add", R"({"mode":"duel"})").Str({"type"}), "matchmaker.queued");
  a.WaitFor("match.matched");
  a.WaitFor("match.state");
  JsonDoc queued = c.Call("matchmaker.add", R"({"mode":"trio"})");
  ASSERT_EQ(queued.Str({"type"}), "matchmaker.queued") << queued.text();
  const std::string ticket = queued.Str({"payload", "ticket_id"}).value_or("");

  server.Signal(SIGTERM);
  // The queued ticket leaves with its removal push, so that C can queue on another node.
  JsonDoc expired = c.WaitFor("match.matchmaker_expired");
  EXPECT_EQ(expired.Str({"payload", "ticket_id"}), ticket) << expired.text();
  // The load balancer sees the node draining; new sockets and new tickets are refused.
  HttpResponse ready = HttpCall(server.port(), "GET", "/ready");
  EXPECT_EQ(ready.status, 503);
  EXPECT_EQ(ParseBody(ready).Str({"status"}), "draining") << ready.body;
  WsClient fresh;
  std::optional<HttpResponse> upgrade = fresh.Upgrade(server.port());
  ASSERT_TRUE(upgrade.has_value());
  EXPECT_EQ(upgrade->status, 503) << upgrade->body;
  EXPECT_EQ(ParseBody(*upgrade).Str({"error", "code"}), "not_ready") << upgrade->body;
  JsonDoc refused = c.Call("matchmaker.add", R"({"mode":"trio"})");
  EXPECT_EQ(refused.Str({"type"}), "error") << refused.text();
  EXPECT_EQ(refused.Str({"payload", "reason"}), "not_ready") << refused.text();
  EXPECT_EQ(refused.Str({"payload", "type"}), "matchmaker.add") << refused.text();
  JsonDoc no_join = a.Call("match.find_or_create", R"({"mode":"duel"})");
  EXPECT_EQ(no_join.Str({"payload", "reason"}), "not_ready") << no_join.text();
  HttpResponse rest =
      HttpCall(server.port(), "POST", "/api/v1/matchmaker", R"({"mode":"duel"})", tc);
  EXPECT_EQ(rest.status, 503) << rest.body;
  // The match plays on: new state frames, then it finishes when a player says so.
  a.ForgetPushes();
  JsonDoc later = a.WaitFor("match.state");
  EXPECT_TRUE(later.Int({"payload", "n"}).has_value()) << later.text();
  a.Send("match.input", R"({"finish":true})");
  a.WaitFor("match.finished");
  b.WaitFor("match.finished");
  EXPECT_TRUE(server.WaitForCleanExit());
  EXPECT_EQ(server.log().find("drain deadline passed"), std::string::npos) << server.log();
  EXPECT_EQ(server.log().find("second signal"), std::string::npos) << server.log();
}

TEST_F(DrainTest, ASecondSigtermEndsTheDrainAtOnce) {
  TestDatabase db;
  ASSERT_TRUE(db.ok()) << db.error();
  ServerProcess server;
  ServerOptions o = Options(db);
  o.drain_timeout_ms = 60000;
  ASSERT_TRUE(StartReady(&server, o));
  const std::string ta = RegisterPlayer(server.port(), "drain2_a").second;
  const std::string tb = RegisterPlayer(server.port(), "drain2_b").second;
  Player a, b;
  ASSERT_TRUE(a.Connect(server.port(), ta));
  ASSERT_TRUE(b.Connect(server.port(), tb));
  ASSERT_EQ(a.Call("matchmaker.add", R"({"mode":"duel"})").Str({"type"}), "matchmaker.queued");
  ASSERT_EQ(b.Call("matchmaker.add", R"({"mode":"duel"})").Str({"type"}), "matchmaker.queued");
  a.WaitFor("match.state");
  server.Signal(SIGTERM);
  ASSERT_TRUE(WaitForStatus(server.port(), "/ready", 503));
  ASSERT_TRUE(server.WaitForLog("draining: waiting for live matches", kWaitMs));
  server.Signal(SIGTERM);
  EXPECT_TRUE(server.WaitForCleanExit());
  EXPECT_NE(server.log().find("second signal"), std::string::npos) << server.log();
}

}  // namespace
}  // namespace asobi::itest

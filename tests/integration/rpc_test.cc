// RPC against the real server and PostgreSQL (websocket.md §9.1, rest.md §3.12;
// docs/decisions.md "RPC"): Lua-defined methods called over `rpc.call` and
// POST /api/v1/rpc/:method, each of the nine checks in order, declared and undeclared handler
// codes, a crashing handler, a handler over its 200 ms budget, a reload on save, check 3 on a
// node without PostgreSQL, and the `game.*` API in handlers (docs/scripting.md "RPC methods"),
// suspending on *DB* calls and timing out after 2000 ms.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <utility>

#include "http_call.h"
#include "itest_checks.h"
#include "itest_clock.h"
#include "itest_suite.h"
#include "json_doc.h"
#include "pg_test_db.h"
#include "server_harness.h"
#include "server_suite.h"
#include "ws_client.h"

namespace asobi::itest {
namespace {

constexpr int kWaitMs = 10000;  // bounds a misbehaving server only

constexpr char kMode[] = R"(
match_size = 1
function init() return {} end
function join(p, s) return s end
function leave(p, s) return s end
function handle_input(p, i, s) return s end
function tick(s) return s end
function get_state(p, s) return {} end
)";

constexpr char kRpcScript[] = R"(
rpc.register("t.echo", function(player_id, params)
  return { player_id = player_id, params = params, version = 1 }
end)
rpc.register("t.claim", function(_, params)
  if params.twice then
    return rpc.error("t.already_claimed", "Already claimed", { quest = params.quest })
  end
  if params.undeclared then return rpc.error("t.not_declared") end
  if params.crash then error("boom") end
  if params.spin then while true do end end
  if params.scalar then return 42 end
  return { claimed = true }
end, { errors = { ["t.already_claimed"] = 409 } })
-- game.* at the top level: no coroutine there, so a *DB* call cannot suspend.
local top = game.economy.balance("nobody")
rpc.register("t.top", function() return { top = top.error } end)
-- A *DB* call the test stalls: resumed with {error = "timeout"} after 2000 ms.
rpc.register("t.slow", function(player_id)
  local r = game.storage.player_get(player_id, "rpc", "slow")
  return { got = r.error or "a row" }
end)
-- game.* in a handler: each *DB* call suspends the handler until the database answers.
rpc.register("t.reward", function(player_id, params)
  local w = game.economy.grant(player_id, "gold", params.amount, "rpc_reward")
  if w.error then return rpc.error("t.failed", w.error) end
  local b = game.economy.balance(player_id)
  game.storage.player_set(player_id, "rpc", "last", { amount = params.amount })
  local got = game.storage.player_get(player_id, "rpc", "last")
  local n = game.notify(player_id, "reward", "rpc reward", { amount = params.amount })
  game.send(player_id, { hello = "rpc" })
  return {
    balance = w.ok.balance,
    wallets = #b.ok,
    stored = got.ok and got.ok.amount or got.error,
    notified = n.ok and n.ok.subject or n.error,
    broadcast = game.broadcast("x").error,
    has_chat = type(game.chat.send),
    has_match = game.match == nil and "absent" or "present",
  }
end, { errors = { ["t.failed"] = 400 } })
)";

class RpcTest : public ServerSuite<RpcTest> {
 protected:
  static void SetUpTestSuite() {
    db_ = new TestDatabase();
    ASSERT_TRUE(db_->ok()) << db_->error();
    dir_ = new std::string(
        MakeGameDir("/tmp/asobi_rpc_itest_XXXXXX",
                    {{"solo.lua", kMode},
                     {"rpc.lua", kRpcScript},
                     {"config.lua", "rpc = \"rpc.lua\"\nreturn { solo = \"solo.lua\" }\n"}}));
    server_ = new ServerProcess();
    ServerOptions o;
    o.flags = db_->ServerFlags();
    o.flags.insert(o.flags.end(),
                   {"--game-dir", *dir_, "--rate-limits",
                    "register=1000/1000,auth=1000/1000,api=100000/1000", "--ws-rate-limit", "1000",
                    // lock_timeout (1/2 of it) above the 2000 ms of a game.*
                    // call, so that DbCallTimesOut sees the script's timeout
                    "--db-timeout-ms", "8000"});
    ASSERT_TRUE(StartReady(server_, o));
    token_ = new std::string(RegisterToken("rpc_player"));
  }
  static void TearDownTestSuite() {
    ServerSuite::TearDownTestSuite();
    delete token_;
  }

  static HttpResponse Http(const std::string& method, const std::string& path,
                           const std::string& body = "", const std::string& bearer = "") {
    return Call(method, path, body, bearer);
  }
  static std::string RegisterToken(const std::string& user) {
    auto [id, token] = Register(user);
    player_id_ = id;
    return token;
  }
  // Opens a socket, authenticated unless `auth` is false.
  static void Open(WsClient* ws, bool auth = true) {
    ASSERT_TRUE(ws->Open(server_->port()));
    if (!auth) return;
    ASSERT_TRUE(ws->SendText(R"({"type":"session.connect","cid":"s","payload":{"token":")" +
                             *token_ + "\"}}"));
    JsonDoc d;
    ASSERT_TRUE(ws->RecvJson(&d, kWaitMs));
    ASSERT_EQ(d.Str({"type"}).value_or(""), "session.connected") << d.text();
  }
  // Sends one raw frame and returns the next rpc.* reply.
  static JsonDoc Send(WsClient* ws, const std::string& frame) {
    EXPECT_TRUE(ws->SendText(frame));
    int64_t deadline = NowMs() + kWaitMs;
    while (NowMs() < deadline) {
      JsonDoc d;
      if (!ws->RecvJson(&d, int(deadline - NowMs()))) break;
      std::string type = d.Str({"type"}).value_or("");
      if (type.rfind("rpc.", 0) == 0) return d;
    }
    ADD_FAILURE() << "no rpc reply to " << frame;
    return JsonDoc();
  }
  static JsonDoc Rpc(WsClient* ws, const std::string& payload, const std::string& cid = "\"r1\"") {
    return Send(ws, R"({"type":"rpc.call","cid":)" + cid + R"(,"payload":)" + payload + "}");
  }
  static std::string Code(const JsonDoc& d) {
    return d.Str({"payload", "error", "code"}).value_or("<none>");
  }

  static std::string* token_;
  static std::string player_id_;
};
std::string* RpcTest::token_ = nullptr;
std::string RpcTest::player_id_;

TEST_F(RpcTest, WebSocketCallReturnsTheHandlersResult) {
  WsClient ws;
  Open(&ws);
  JsonDoc d = Rpc(&ws, R"({"protocol":1,"method":"t.echo","params":{"x":[1,2],"s":"hi"}})");
  EXPECT_EQ(d.Str({"type"}).value_or(""), "rpc.ok") << d.text();
  EXPECT_EQ(d.Str({"cid"}).value_or(""), "r1");
  EXPECT_EQ(d.Str({"payload", "result", "player_id"}).value_or(""), player_id_);
  EXPECT_EQ(d.Str({"payload", "result", "params", "s"}).value_or(""), "hi");
  EXPECT_EQ(d.Raw({"payload", "result", "params", "x"}).value_or(""), "[1,2]");
  JsonDoc c = Rpc(&ws, R"({"protocol":1,"method":"t.claim","params":{}})");
  EXPECT_EQ(c.Raw({"payload"}).value_or(""), R"({"result":{"claimed":true}})") << c.text();
}

TEST_F(RpcTest, ChecksOneToEightInOrder) {
  WsClient anon;
  Open(&anon, false);
  // 1: cid missing, not a string, empty, 65 bytes, a control or non-ASCII byte: no cid back.
  for (std::string cid :
       {std::string(), std::string("7"), std::string("\"\""), "\"" + std::string(65, 'a') + "\"",
        std::string("\"a\\n\""), std::string("\"\xc3\xa9\"")}) {
    std::string frame = cid.empty() ? R"({"type":"rpc.call","payload":{}})"
                                    : R"({"type":"rpc.call","cid":)" + cid + R"(,"payload":{}})";
    JsonDoc d = Send(&anon, frame);
    EXPECT_EQ(d.Str({"type"}).value_or(""), "rpc.error") << cid;
    EXPECT_EQ(Code(d), "rpc.invalid_cid") << cid;
    EXPECT_FALSE(d.At({"cid"}).has_value()) << d.text();
    EXPECT_FALSE(d.At({"payload", "reason"}).has_value()) << d.text();
  }
  // 64 printable bytes (with an escaped quote) pass check 1 and fail check 2.
  std::string cid64 = "\"\\\"" + std::string(63, '~') + "\"";
  JsonDoc d2 = Rpc(&anon, "{}", cid64);
  EXPECT_EQ(Code(d2), "unauthenticated") << d2.text();
  EXPECT_EQ(d2.Raw({"cid"}).value_or(""), cid64);

  WsClient ws;
  Open(&ws);
  EXPECT_EQ(Code(Send(&ws, R"({"type":"rpc.call","cid":"r"})")), "invalid_payload");
  EXPECT_EQ(Code(Rpc(&ws, "[1]")), "invalid_payload");
  JsonDoc p5 = Rpc(&ws, R"({"protocol":2,"method":"t.echo","params":{}})");
  EXPECT_EQ(Code(p5), "rpc.unsupported_protocol");
  EXPECT_EQ(p5.Raw({"payload", "error", "details"}).value_or(""), R"({"supported":[1]})");
  EXPECT_EQ(Code(Rpc(&ws, R"({"method":"t.echo","params":{}})")), "rpc.unsupported_protocol");
  EXPECT_EQ(Code(Rpc(&ws, R"({"protocol":"1","method":"t.echo","params":{}})")),
            "rpc.unsupported_protocol");
  EXPECT_EQ(Code(Rpc(&ws, R"({"protocol":1,"method":7,"params":{}})")), "rpc.unknown_method");
  EXPECT_EQ(Code(Rpc(&ws, R"({"protocol":1,"params":{}})")), "rpc.unknown_method");
  EXPECT_EQ(Code(Rpc(&ws, R"({"protocol":1,"method":"t.echo"})")), "rpc.invalid_params");
  EXPECT_EQ(Code(Rpc(&ws, R"({"protocol":1,"method":"t.echo","params":[]})")),
            "rpc.invalid_params");
  // 7 comes before 8: an unknown method with bad params is invalid_params.
  EXPECT_EQ(Code(Rpc(&ws, R"({"protocol":1,"method":"no.such","params":5})")),
            "rpc.invalid_params");
  for (const char* m : {"no.such", "asobi.datagram.open", "echo", ""}) {
    JsonDoc d = Rpc(&ws, R"({"protocol":1,"method":")" + std::string(m) + R"(","params":{}})");
    EXPECT_EQ(Code(d), "rpc.unknown_method") << m;
    EXPECT_EQ(d.Str({"cid"}).value_or(""), "r1");
  }
}

TEST_F(RpcTest, CheckNineHandlerErrors) {
  WsClient ws;
  Open(&ws);
  JsonDoc e = Rpc(&ws, R"({"protocol":1,"method":"t.claim","params":{"twice":true,"quest":"q1"}})");
  EXPECT_EQ(e.Str({"type"}).value_or(""), "rpc.error");
  EXPECT_EQ(Code(e), "t.already_claimed");
  EXPECT_EQ(e.Str({"payload", "error", "message"}).value_or(""), "Already claimed");
  EXPECT_EQ(e.Str({"payload", "error", "details", "quest"}).value_or(""), "q1");
  EXPECT_FALSE(e.At({"payload", "reason"}).has_value());
  for (const char* bad : {"undeclared", "crash", "spin", "scalar"}) {
    JsonDoc d = Rpc(
        &ws, R"({"protocol":1,"method":"t.claim","params":{")" + std::string(bad) + R"(":true}})");
    EXPECT_EQ(Code(d), "internal") << bad << " " << d.text();
  }
  // The state survives a timeout and a crash.
  EXPECT_EQ(Rpc(&ws, R"({"protocol":1,"method":"t.claim","params":{}})").Str({"type"}).value_or(""),
            "rpc.ok");
  // Both are on /metrics (issue 15 item 3): "spin" ran out of its budget, "crash" raised.
  const std::string metrics = Http("GET", "/metrics").body;
  EXPECT_GE(MetricValue(metrics,
                        "asobi_lua_callback_failures_total{script=\"rpc\","
                        "callback=\"handler\",kind=\"timeout\"}"),
            1)
      << metrics;
  EXPECT_GE(MetricValue(metrics,
                        "asobi_lua_callback_failures_total{script=\"rpc\","
                        "callback=\"handler\",kind=\"error\"}"),
            1);
}

TEST_F(RpcTest, RestCallAndErrors) {
  HttpResponse ok = Http("POST", "/api/v1/rpc/t.echo", R"({"params":{"n":3}})", *token_);
  EXPECT_EQ(ok.status, 200) << ok.body;
  JsonDoc d;
  ASSERT_TRUE(d.Parse(ok.body));
  EXPECT_EQ(d.Str({"type"}).value_or(""), "rpc.ok");
  EXPECT_EQ(d.Raw({"payload", "result", "params"}).value_or(""), R"({"n":3})");

  HttpResponse declared =
      Http("POST", "/api/v1/rpc/t.claim", R"({"params":{"twice":true}})", *token_);
  EXPECT_EQ(declared.status, 409) << declared.body;
  ASSERT_TRUE(d.Parse(declared.body));
  EXPECT_EQ(d.Str({"type"}).value_or(""), "rpc.error");
  EXPECT_EQ(Code(d), "t.already_claimed");

  HttpResponse crash = Http("POST", "/api/v1/rpc/t.claim", R"({"params":{"crash":true}})", *token_);
  EXPECT_EQ(crash.status, 500) << crash.body;
  ASSERT_TRUE(d.Parse(crash.body));
  EXPECT_EQ(Code(d), "internal");

  HttpResponse unknown = Http("POST", "/api/v1/rpc/no.such", R"({"params":{}})", *token_);
  EXPECT_EQ(unknown.status, 404) << unknown.body;
  ASSERT_TRUE(d.Parse(unknown.body));
  EXPECT_EQ(Code(d), "rpc.unknown_method");

  for (const char* body : {"{}", R"({"params":[1]})", R"({"params":null})"}) {
    HttpResponse r = Http("POST", "/api/v1/rpc/t.echo", body, *token_);
    EXPECT_EQ(r.status, 400) << body << " " << r.body;
    ASSERT_TRUE(d.Parse(r.body));
    EXPECT_EQ(d.Str({"type"}).value_or(""), "rpc.error");
    EXPECT_EQ(Code(d), "rpc.invalid_params");
  }
  EXPECT_EQ(Http("POST", "/api/v1/rpc/t.echo", R"({"params":{}})").status, 401);
}

// A handler calls the game.* API: economy, storage and notifications suspend it while the
// database answers (the shard goes on serving: a second call on the same socket answers
// meanwhile), game.send reaches the caller's socket, game.broadcast has no roster here.
TEST_F(RpcTest, HandlersUseTheGameApi) {
  WsClient ws;
  Open(&ws);
  ASSERT_TRUE(ws.SendText(
      R"({"type":"rpc.call","cid":"slow","payload":{"protocol":1,"method":"t.reward","params":{"amount":25}}})"));
  ASSERT_TRUE(ws.SendText(
      R"({"type":"rpc.call","cid":"fast","payload":{"protocol":1,"method":"t.echo","params":{}}})"));
  JsonDoc reward, echo, sent, notified;
  int64_t deadline = NowMs() + kWaitMs;
  // The pushes go through the player directory: they may come after the answer.
  while (NowMs() < deadline && (reward.text().empty() || echo.text().empty() ||
                                sent.text().empty() || notified.text().empty())) {
    JsonDoc d;
    if (!ws.RecvJson(&d, int(deadline - NowMs()))) break;
    std::string type = d.Str({"type"}).value_or("");
    std::string cid = d.Str({"cid"}).value_or("");
    if (cid == "slow")
      reward = std::move(d);
    else if (cid == "fast")
      echo = std::move(d);
    else if (type == "module.message")
      sent = std::move(d);
    else if (type == "notification.new")
      notified = std::move(d);
  }
  EXPECT_EQ(echo.Str({"type"}).value_or(""), "rpc.ok") << echo.text();
  ASSERT_EQ(reward.Str({"type"}).value_or(""), "rpc.ok") << reward.text();
  auto result = [&](const char* key) {
    return reward.Raw({"payload", "result", key}).value_or("<absent>");
  };
  EXPECT_EQ(result("balance"), "25") << reward.text();
  EXPECT_EQ(result("wallets"), "1");
  EXPECT_EQ(result("stored"), "25");
  EXPECT_EQ(result("notified"), R"("rpc reward")");
  EXPECT_EQ(result("broadcast"), R"("game.broadcast is only available in a match or world")");
  EXPECT_EQ(result("has_chat"), R"("function")");
  EXPECT_EQ(result("has_match"), R"("absent")");
  EXPECT_EQ(sent.Raw({"payload"}).value_or(""), R"({"module":"lua","message":{"hello":"rpc"}})")
      << sent.text();
  EXPECT_EQ(notified.Str({"payload", "subject"}).value_or(""), "rpc reward") << notified.text();

  // The effects are in PostgreSQL, visible over REST; the same handler over REST.
  HttpResponse r = Http("POST", "/api/v1/rpc/t.reward", R"({"params":{"amount":5}})", *token_);
  EXPECT_EQ(r.status, 200) << r.body;
  JsonDoc d;
  ASSERT_TRUE(d.Parse(r.body));
  EXPECT_EQ(d.Raw({"payload", "result", "balance"}).value_or(""), "30");
  ASSERT_TRUE(d.Parse(Http("GET", "/api/v1/wallets", "", *token_).body));
  EXPECT_EQ(d.text(), R"({"wallets":[{"currency":"gold","balance":30}]})");
  ASSERT_TRUE(d.Parse(Http("GET", "/api/v1/storage/rpc/last", "", *token_).body));
  EXPECT_EQ(d.Raw({"value"}).value_or(""), R"({"amount":5})") << d.text();

  // A declared error after a suspension; a *DB* call at the script's top level cannot suspend.
  HttpResponse bad = Http("POST", "/api/v1/rpc/t.reward", R"({"params":{"amount":0}})", *token_);
  EXPECT_EQ(bad.status, 400) << bad.body;
  ASSERT_TRUE(d.Parse(bad.body));
  EXPECT_EQ(Code(d), "t.failed");
  EXPECT_EQ(d.Str({"payload", "error", "message"}).value_or(""), "invalid_amount");
  ASSERT_TRUE(d.Parse(Http("POST", "/api/v1/rpc/t.top", R"({"params":{}})", *token_).body));
  EXPECT_EQ(d.Str({"payload", "result", "top"}).value_or(""), "cannot_suspend_here") << d.text();
}

// A *DB* call with no answer within 2000 ms resumes the handler with {error = "timeout"}
// (lua.md §9); the reply that comes after the stall is dropped and the state serves on.
TEST_F(RpcTest, DbCallTimesOutAfterTwoSeconds) {
  ASSERT_TRUE(db_->Query("BEGIN")) << db_->error();
  ASSERT_TRUE(db_->Query("LOCK TABLE storage IN ACCESS EXCLUSIVE MODE")) << db_->error();
  HttpResponse r = Http("POST", "/api/v1/rpc/t.slow", R"({"params":{}})", *token_);
  ASSERT_TRUE(db_->Query("ROLLBACK")) << db_->error();
  EXPECT_EQ(r.status, 200) << r.body;
  JsonDoc d;
  ASSERT_TRUE(d.Parse(r.body));
  EXPECT_EQ(d.Str({"payload", "result", "got"}).value_or(""), "timeout") << r.body;
  // The stalled statement completes after the rollback; its late reply is dropped.
  std::string got;
  int64_t deadline = NowMs() + kWaitMs;
  while (got != "not_found" && NowMs() < deadline) {
    JsonDoc n;
    if (n.Parse(Http("POST", "/api/v1/rpc/t.slow", R"({"params":{}})", *token_).body)) {
      got = n.Str({"payload", "result", "got"}).value_or("");
    }
  }
  EXPECT_EQ(got, "not_found");
}

// A save while a handler is suspended: the shard reloads for the next calls (same socket, so
// same shard) and the suspended call still finishes on the state it started in.
TEST_F(RpcTest, ReloadWhileAHandlerIsSuspended) {
  WsClient ws;
  Open(&ws);
  ASSERT_TRUE(db_->Query("BEGIN")) << db_->error();
  ASSERT_TRUE(db_->Query("LOCK TABLE storage IN ACCESS EXCLUSIVE MODE")) << db_->error();
  ASSERT_TRUE(ws.SendText(
      R"({"type":"rpc.call","cid":"slow","payload":{"protocol":1,"method":"t.slow","params":{}}})"));
  std::string script = kRpcScript;
  script.replace(script.find("version = 1"), 11, "version = 3");
  std::ofstream(*dir_ + "/rpc.lua") << script;
  JsonDoc slow;
  std::string version;
  int64_t deadline = NowMs() + kWaitMs;
  int n = 0;
  while (NowMs() < deadline && (version != "3" || slow.text().empty())) {
    if (version != "3") {
      ASSERT_TRUE(ws.SendText(R"({"type":"rpc.call","cid":"e)" + std::to_string(++n) +
                              R"(","payload":{"protocol":1,"method":"t.echo","params":{}}})"));
    }
    JsonDoc d;
    if (!ws.RecvJson(&d, int(deadline - NowMs()))) break;
    if (d.Str({"cid"}).value_or("") == "slow") {
      slow = std::move(d);
    } else if (d.Str({"type"}).value_or("") == "rpc.ok") {
      version = d.Raw({"payload", "result", "version"}).value_or("");
      if (version != "3") usleep(50 * 1000);  // the mode watcher has not published the save yet
    }
  }
  ASSERT_TRUE(db_->Query("ROLLBACK")) << db_->error();
  EXPECT_EQ(version, "3");
  EXPECT_EQ(slow.Str({"payload", "result", "got"}).value_or(""), "timeout") << slow.text();
}

TEST_F(RpcTest, ReloadsOnSave) {
  std::string script = kRpcScript;
  script.replace(script.find("version = 1"), 11, "version = 2");
  std::ofstream(*dir_ + "/rpc.lua") << script;
  int64_t deadline = NowMs() + kWaitMs;
  std::string version;
  while (NowMs() < deadline && version != "2") {
    HttpResponse r = Http("POST", "/api/v1/rpc/t.echo", R"({"params":{}})", *token_);
    JsonDoc d;
    if (d.Parse(r.body)) version = d.Raw({"payload", "result", "version"}).value_or("");
    if (version != "2") usleep(50 * 1000);
  }
  EXPECT_EQ(version, "2");
}

// Check 3 of §9.1 (docs/decisions.md "RPC"): a node started without PostgreSQL has no RPC
// service. An unauthenticated socket still fails check 2 first; an authenticated one (dev
// tokens need no database) gets `not_ready` with its cid.
TEST(RpcNoDatabaseTest, CheckThreeIsNotReady) {
  ServerProcess server;
  ServerOptions o;
  o.dev_tokens = {{"tok_rpc_nodb", "0190b000-0000-7000-8000-0000000000aa"}};
  ASSERT_TRUE(server.Start(o)) << server.log();
  WsClient ws;
  ASSERT_TRUE(ws.Open(server.port()));
  const std::string call =
      R"({"type":"rpc.call","cid":"n1","payload":{"protocol":1,"method":"t.echo","params":{}}})";
  ASSERT_TRUE(ws.SendText(call));
  JsonDoc d;
  ASSERT_TRUE(ws.RecvJson(&d, kWaitMs));
  EXPECT_EQ(d.Str({"type"}).value_or(""), "rpc.error") << d.text();
  EXPECT_EQ(d.Str({"payload", "error", "code"}).value_or(""), "unauthenticated") << d.text();
  ASSERT_TRUE(
      ws.SendText(R"({"type":"session.connect","cid":"s","payload":{"token":"tok_rpc_nodb"}})"));
  ASSERT_TRUE(ws.RecvJson(&d, kWaitMs));
  ASSERT_EQ(d.Str({"type"}).value_or(""), "session.connected") << d.text();
  ASSERT_TRUE(ws.SendText(call));
  ASSERT_TRUE(ws.RecvJson(&d, kWaitMs));
  EXPECT_EQ(d.Str({"type"}).value_or(""), "rpc.error") << d.text();
  EXPECT_EQ(d.Str({"cid"}).value_or(""), "n1");
  EXPECT_EQ(d.Str({"payload", "error", "code"}).value_or(""), "not_ready") << d.text();
  // Checks 1 still come first: a bad cid is rpc.invalid_cid, without a cid.
  ASSERT_TRUE(ws.SendText(R"({"type":"rpc.call","cid":"","payload":{}})"));
  ASSERT_TRUE(ws.RecvJson(&d, kWaitMs));
  EXPECT_EQ(d.Str({"payload", "error", "code"}).value_or(""), "rpc.invalid_cid") << d.text();
  EXPECT_FALSE(d.At({"cid"}).has_value()) << d.text();
}

}  // namespace
}  // namespace asobi::itest

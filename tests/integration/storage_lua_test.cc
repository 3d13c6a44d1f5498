// lua.md §18 against the real server and PostgreSQL: game.storage.update/player_update with
// the merge operators (global and player rows, concurrent updates of one key, every bad-input
// row), game.kv.* (scoping per match, expiry, kv_full) and the `{storage,false}` switch
// (rest.md §3.9: 404 save.not_found / storage.not_found, lua.md §9: no game.storage).
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "http_call.h"
#include "http_client.h"
#include "itest_clock.h"
#include "itest_suite.h"
#include "json_canon.h"
#include "json_doc.h"
#include "lua_player.h"
#include "pg_test_db.h"
#include "server_harness.h"
#include "server_suite.h"

namespace asobi::itest {
namespace {

// One game.storage / game.kv call per input, answered as {cid, result}.
const std::string kScript = SoloLuaMode(R"(local function run(p, i)
  local who = i.player or p
  if i.op == "has_storage" then return game.storage ~= nil end
  local st = game.storage
  if i.op == "get" then return st.get(i.c, i.k) end
  if i.op == "set" then return st.set(i.c, i.k, i.v) end
  if i.op == "update" then return st.update(i.c, i.k, i.ops) end
  if i.op == "pupdate" then return st.player_update(who, i.c, i.k, i.ops) end
  if i.op == "pget" then return st.player_get(who, i.c, i.k) end
  if i.op == "update_noops" then return st.update(i.c, i.k) end
  if i.op == "update_str" then return st.update(i.c, i.k, "x") end
  if i.op == "update_numkey" then return st.update(i.c, i.k, { [1] = { set = 1 } }) end
  if i.op == "update_big" then
    return st.update(i.c, i.k, { blob = { set = string.rep("x", 300000) } })
  end
  if i.op == "incr_n" then
    local ok, conflicts = 0, 0
    for _ = 1, i.n do
      local r = st.update(i.c, i.k, { n = { incr = 1 } })
      if r.ok then ok = ok + 1 elseif r.error == "storage_conflict" then conflicts = conflicts + 1
      else return r end
    end
    return { ok = ok, conflicts = conflicts }
  end
  local kv = game.kv
  if i.op == "kget" then return kv.get(i.c, i.k) end
  if i.op == "kset" then return kv.set(i.c, i.k, i.v, i.ttl) end
  if i.op == "kmerge" then return kv.merge(i.c, i.k, i.ops, i.ttl) end
  if i.op == "kdel" then return kv.delete(i.c, i.k) end
  if i.op == "kset_str" then return kv.set(i.c, i.k, "scalar") end
  if i.op == "kset_badttl" then return kv.set(i.c, i.k, {}, "soon") end
  return { error = "unknown op" }
end
)");

std::vector<std::string> StartFlags(const TestDatabase& db, const std::string& dir) {
  std::vector<std::string> f = db.ServerFlags();
  f.insert(f.end(), {"--rate-limits", "register=1000/1000,auth=1000/1000,api=100000/1000",
                     "--game-dir", dir, "--ws-rate-limit", "1000"});
  return f;
}

class StorageLuaTest : public ServerSuite<StorageLuaTest> {
 protected:
  static void SetUpTestSuite() {
    db_ = new TestDatabase();
    ASSERT_TRUE(db_->ok()) << db_->error();
    dir_ = new std::string(
        MakeGameDir("/tmp/asobi_storage_lua_itest_XXXXXX",
                    {{"s.lua", kScript}, {"config.lua", R"(return { s = "s.lua" })"}}));
    server_ = new ServerProcess();
    ServerOptions o;
    o.flags = StartFlags(*db_, *dir_);
    ASSERT_TRUE(StartReady(server_, o));
  }
  static std::string Code(const HttpResponse& r) {
    return Json(r).Str({"error", "code"}).value_or("<none: " + r.body + ">");
  }
};

TEST_F(StorageLuaTest, UpdateAppliesEveryOperator) {
  auto [a, ta] = Register("upd_ops");
  LuaPlayer p("s");
  ASSERT_TRUE(p.Join(server_->port(), ta));
  // An absent row starts as {}.
  EXPECT_EQ(p.Run(R"("op":"update","c":"u","k":"g","ops":{"hp":{"set":40},"xp":{"incr":5},)"
                  R"("lo":{"min":3},"hi":{"max":3},"won":{"latch":false},)"
                  R"("name":{"set_if_absent":"ann"}})"),
            Canon(R"({"ok":{"hi":3,"hp":40,"lo":3,"name":"ann","won":false,"xp":5}})"));
  EXPECT_EQ(p.Run(R"("op":"update","c":"u","k":"g","ops":{"hp":{"incr":-15},"xp":{"incr":0.5},)"
                  R"("lo":{"min":1},"hi":{"max":1},"won":{"latch":true},)"
                  R"("name":{"set_if_absent":"bob"},"tags":{"set":["a",{"b":1}]}})"),
            Canon(R"({"ok":{"hi":3,"hp":25,"lo":1,"name":"ann","tags":["a",{"b":1}],)"
                  R"("won":true,"xp":5.5}})"));
  // latch stays true; other fields of the stored object are kept.
  EXPECT_EQ(p.Run(R"("op":"update","c":"u","k":"g","ops":{"won":{"latch":false}})"),
            Canon(R"({"ok":{"hi":3,"hp":25,"lo":1,"name":"ann","tags":["a",{"b":1}],)"
                  R"("won":true,"xp":5.5}})"));
  // The row is the same one set/get use; each update bumps its version.
  std::string row = p.Run(R"("op":"set","c":"u","k":"g","v":{"hp":1})");
  EXPECT_NE(row.find(R"("version":4)"), std::string::npos) << row;
  EXPECT_EQ(p.Run(R"("op":"update","c":"u","k":"g","ops":{"hp":{"incr":1}})"),
            R"({"ok":{"hp":2}})");
  EXPECT_EQ(p.Run(R"("op":"get","c":"u","k":"g")"), R"({"ok":{"hp":2}})");
  // player_update writes the player's row (visible over REST), not the global one.
  EXPECT_EQ(p.Run(R"("op":"pupdate","c":"u","k":"g","ops":{"coins":{"incr":7}})"),
            R"({"ok":{"coins":7}})");
  EXPECT_EQ(p.Run(R"("op":"pupdate","c":"u","k":"g","ops":{"coins":{"incr":3}})"),
            R"({"ok":{"coins":10}})");
  HttpResponse r = Call("GET", "/api/v1/storage/u/g", "", ta);
  EXPECT_EQ(Json(r).Raw({"value"}), R"({"coins":10})") << r.body;
  EXPECT_EQ(Json(r).Int({"version"}), 2);
  EXPECT_EQ(p.Run(R"("op":"get","c":"u","k":"g")"), R"({"ok":{"hp":2}})");
}

TEST_F(StorageLuaTest, UpdateBadInput) {
  auto [a, ta] = Register("upd_bad");
  LuaPlayer p("s");
  ASSERT_TRUE(p.Join(server_->port(), ta));
  const std::pair<const char*, const char*> cases[] = {
      {R"({"hp":40})", "invalid_ops: hp: expected {operator = value}"},
      {R"({"hp":{"add":1}})", "invalid_ops: hp: unknown operator add"},
      {R"({"hp":{"incr":1,"max":2}})", "invalid_ops: hp: exactly one operator per field"},
      {R"({"hp":{}})", "invalid_ops: hp: exactly one operator per field"},
      {R"({"hp":{"incr":"1"}})", "invalid_ops: hp: incr needs a finite number"},
      {R"({"hp":{"min":true}})", "invalid_ops: hp: min needs a finite number"},
      {R"({"hp":{"latch":1}})", "invalid_ops: hp: latch needs a boolean"},
      {R"({})", "invalid_ops: no fields"},
  };
  for (const auto& [ops, want] : cases) {
    EXPECT_EQ(p.Run(std::string(R"("op":"update","c":"b","k":"k","ops":)") + ops),
              std::string(R"({"error":")") + want + "\"}")
        << ops;
  }
  // Operators on stored fields of the wrong type name the field; nothing is written.
  EXPECT_EQ(p.Run(R"("op":"set","c":"b","k":"k","v":{"name":"x","flag":1})").find("\"ok\""), 1u);
  EXPECT_EQ(p.Run(R"("op":"update","c":"b","k":"k","ops":{"name":{"incr":1}})"),
            R"({"error":"invalid_ops: name: incr on a stored value that is not a number"})");
  EXPECT_EQ(p.Run(R"("op":"update","c":"b","k":"k","ops":{"flag":{"latch":true}})"),
            R"({"error":"invalid_ops: flag: latch on a stored value that is not a boolean"})");
  EXPECT_EQ(p.Run(R"("op":"get","c":"b","k":"k")"), Canon(R"({"ok":{"flag":1,"name":"x"}})"));
  // A stored scalar is not an object.
  EXPECT_EQ(p.Run(R"("op":"set","c":"b","k":"s","v":"text")").find("\"ok\""), 1u);
  EXPECT_EQ(p.Run(R"("op":"update","c":"b","k":"s","ops":{"a":{"set":1}})"),
            R"({"error":"not_an_object"})");
  // Shapes and sizes.
  EXPECT_EQ(p.Run(R"("op":"update_noops","c":"b","k":"k")"),
            R"x({"error":"game.storage.update requires (collection, key, ops)"})x");
  EXPECT_EQ(p.Run(R"("op":"update_str","c":"b","k":"k")"),
            R"x({"error":"game.storage.update requires (collection, key, ops)"})x");
  EXPECT_EQ(p.Run(R"("op":"update_numkey","c":"b","k":"k")"),
            R"({"error":"invalid_ops: field names must be strings"})");
  EXPECT_EQ(p.Run(R"("op":"update_big","c":"b","k":"big")"), R"({"error":"value_too_large"})");
  EXPECT_EQ(p.Run(R"("op":"update","c":"","k":"k","ops":{"a":{"set":1}})"),
            R"({"error":"invalid_key"})");
  EXPECT_EQ(p.Run(R"("op":"pupdate","c":"b","k":"k","ops":{"a":{"set":1}},)"
                  R"("player":"0190d000-0000-7000-8000-000000000000")"),
            R"({"error":"player_not_found"})");
}

// Four matches increment one global key at once: every acknowledged incr is in the final
// value (conditional writes re-read and re-apply on a lost race).
TEST_F(StorageLuaTest, ConcurrentUpdatesLoseNothing) {
  constexpr int kPlayers = 4;
  constexpr int kEach = 40;
  std::vector<std::string> results(kPlayers);
  std::vector<std::thread> threads;
  std::vector<std::string> tokens;
  for (int i = 0; i < kPlayers; ++i)
    tokens.push_back(Register("upd_race" + std::to_string(i)).second);
  for (int i = 0; i < kPlayers; ++i) {
    threads.emplace_back([&, i] {
      LuaPlayer p("s", 60000);
      if (!p.Join(server_->port(), tokens[size_t(i)])) return;
      results[size_t(i)] =
          p.Run(R"("op":"incr_n","c":"race","k":"n","n":)" + std::to_string(kEach));
    });
  }
  for (auto& t : threads) t.join();
  int64_t acknowledged = 0;
  for (const std::string& r : results) {
    JsonDoc d;
    ASSERT_TRUE(d.Parse(r) && d.Int({"ok"}).has_value()) << r;
    acknowledged += *d.Int({"ok"});
    EXPECT_EQ(*d.Int({"ok"}) + *d.Int({"conflicts"}), kEach) << r;
  }
  EXPECT_GT(acknowledged, 0);
  LuaPlayer p("s");
  ASSERT_TRUE(p.Join(server_->port(), Register("upd_race_check").second));
  EXPECT_EQ(p.Run(R"("op":"get","c":"race","k":"n")"),
            R"({"ok":{"n":)" + std::to_string(acknowledged) + "}}");
}

TEST_F(StorageLuaTest, KvIsPerMatchAndExpires) {
  LuaPlayer p("s");
  ASSERT_TRUE(p.Join(server_->port(), Register("kv_a").second));
  LuaPlayer q("s");
  ASSERT_TRUE(q.Join(server_->port(), Register("kv_b").second));
  EXPECT_EQ(p.Run(R"("op":"kget","c":"c","k":"k")"), R"({"error":"not_found"})");
  EXPECT_EQ(p.Run(R"("op":"kset","c":"c","k":"k","v":{"a":1})"), R"({"ok":{"a":1}})");
  EXPECT_EQ(p.Run(R"("op":"kget","c":"c","k":"k")"), R"({"ok":{"a":1}})");
  // Another match (q is alone in its own solo match) never sees p's entries.
  EXPECT_EQ(q.Run(R"("op":"kget","c":"c","k":"k")"), R"({"error":"not_found"})");
  EXPECT_EQ(q.Run(R"("op":"kmerge","c":"c","k":"k","ops":{"a":{"incr":10}})"),
            R"({"ok":{"a":10}})");
  EXPECT_EQ(p.Run(R"("op":"kmerge","c":"c","k":"k","ops":{"a":{"incr":2},"b":{"latch":true}})"),
            R"({"ok":{"a":3,"b":true}})");
  EXPECT_EQ(p.Run(R"("op":"kmerge","c":"c","k":"k","ops":{"a":7})"),
            R"({"error":"invalid_ops: a: expected {operator = value}"})");
  EXPECT_EQ(p.Run(R"("op":"kmerge","c":"c","k":"k","ops":{"b":{"incr":1}})"),
            R"({"error":"invalid_ops: b: incr on a stored value that is not a number"})");
  EXPECT_EQ(p.Run(R"("op":"kdel","c":"c","k":"k")"), R"({"ok":true})");
  EXPECT_EQ(p.Run(R"("op":"kget","c":"c","k":"k")"), R"({"error":"not_found"})");
  EXPECT_EQ(p.Run(R"("op":"kdel","c":"c","k":"k")"), R"({"ok":true})");
  EXPECT_EQ(q.Run(R"("op":"kget","c":"c","k":"k")"), R"({"ok":{"a":10}})");
  // A write with a short ttl expires; polled with a deadline.
  EXPECT_EQ(p.Run(R"("op":"kset","c":"c","k":"t","v":{"x":1},"ttl":0.2)"), R"({"ok":{"x":1}})");
  const int64_t deadline = NowMs() + 10000;
  std::string got;
  while (NowMs() < deadline) {
    got = p.Run(R"("op":"kget","c":"c","k":"t")");
    if (got == R"({"error":"not_found"})") break;
  }
  EXPECT_EQ(got, R"({"error":"not_found"})");
  // Bad input.
  EXPECT_EQ(p.Run(R"("op":"kset_str","c":"c","k":"k")"),
            R"x({"error":"game.kv.set requires (collection, key, value[, ttl_seconds])"})x");
  EXPECT_EQ(p.Run(R"("op":"kset_badttl","c":"c","k":"k")"),
            R"x({"error":"game.kv.set requires (collection, key, value[, ttl_seconds])"})x");
  EXPECT_EQ(p.Run(R"("op":"kset","c":"c","k":"k","v":{},"ttl":-1)"), R"({"error":"invalid_ttl"})");
  EXPECT_EQ(p.Run(R"("op":"kset","c":"","k":"k","v":{})"), R"({"error":"invalid_key"})");
  EXPECT_EQ(p.Run(R"("op":"kmerge","c":"c","k":"k","ops":{"s":{"set":"x"}},"ttl":0)"),
            R"({"error":"invalid_ttl"})");
}

// `--storage false` and a node of 3 kv entries.
TEST_F(StorageLuaTest, StorageOffAndKvFull) {
  TestDatabase db;
  ASSERT_TRUE(db.ok()) << db.error();
  ServerProcess off;
  ServerOptions o;
  o.flags = StartFlags(db, *dir_);
  o.flags.insert(o.flags.end(), {"--storage", "false", "--kv-max-keys", "3"});
  ASSERT_TRUE(StartReady(&off, o));
  auto [id, t] = RegisterPlayer(off.port(), "off_a");
  for (const char* m : {"GET /api/v1/saves", "GET /api/v1/saves/one", "PUT /api/v1/saves/one"}) {
    std::string s(m);
    HttpResponse r =
        HttpCall(off.port(), s.substr(0, s.find(' ')), s.substr(s.find(' ') + 1), "{}", t);
    EXPECT_EQ(r.status, 404) << m;
    EXPECT_EQ(ParseBody(r).Str({"error", "code"}), "save.not_found") << m;
  }
  for (const char* m : {"GET /api/v1/storage/c", "GET /api/v1/storage/c/k",
                        "PUT /api/v1/storage/c/k", "DELETE /api/v1/storage/c/k"}) {
    std::string s(m);
    HttpResponse r =
        HttpCall(off.port(), s.substr(0, s.find(' ')), s.substr(s.find(' ') + 1), "{}", t);
    EXPECT_EQ(r.status, 404) << m;
    EXPECT_EQ(ParseBody(r).Str({"error", "code"}), "storage.not_found") << m;
  }
  LuaPlayer p("s");
  ASSERT_TRUE(p.Join(off.port(), t));
  EXPECT_EQ(p.Run(R"("op":"has_storage")"), "false");
  // game.kv stays; the fourth key is kv_full, rewriting a live key and deleting still work.
  for (const char* k : {"1", "2", "3"}) {
    EXPECT_EQ(p.Run(std::string(R"("op":"kset","c":"c","k":")") + k + R"(","v":{"n":1})"),
              R"({"ok":{"n":1}})");
  }
  EXPECT_EQ(p.Run(R"("op":"kset","c":"c","k":"4","v":{"n":1})"), R"({"error":"kv_full"})");
  EXPECT_EQ(p.Run(R"("op":"kmerge","c":"c","k":"4","ops":{"n":{"incr":1}})"),
            R"({"error":"kv_full"})");
  EXPECT_EQ(p.Run(R"("op":"kmerge","c":"c","k":"3","ops":{"n":{"incr":1}})"), R"({"ok":{"n":2}})");
  EXPECT_EQ(p.Run(R"("op":"kdel","c":"c","k":"1")"), R"({"ok":true})");
  EXPECT_EQ(p.Run(R"("op":"kset","c":"c","k":"4","v":{"n":4})"), R"({"ok":{"n":4}})");
  EXPECT_TRUE(off.Stop());
}

}  // namespace
}  // namespace asobi::itest

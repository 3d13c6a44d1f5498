// Cloud saves against the real server and PostgreSQL (rest.md §3.9, docs/decisions.md "Cloud
// saves"): list, get, put with versions, every error row, the 10-slot limit, the 256 KiB cap
// and 50 concurrent writers racing on one version.
#include <gtest/gtest.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <map>
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
#include "ws_client.h"

namespace asobi::itest {
namespace {

// A solo mode that runs one game.storage call per input and sends the result back to the
// player as {cid, result} (game.send -> module.message).
const std::string kStoreScript = SoloLuaMode(R"(local function run(p, i)
  local st = game.storage
  local who = i.player or p
  if i.op == "get" then return st.get(i.c, i.k) end
  if i.op == "set" then return st.set(i.c, i.k, i.v) end
  if i.op == "pget" then return st.player_get(who, i.c, i.k) end
  if i.op == "pset" then return st.player_set(who, i.c, i.k, i.v) end
  if i.op == "set_short" then return st.set(i.c, i.k) end
  if i.op == "set_big" then return st.set(i.c, i.k, string.rep("x", 300000)) end
  return { error = "unknown op" }
end
)");

class SavesTest : public ServerSuite<SavesTest> {
 protected:
  static void SetUpTestSuite() {
    db_ = new TestDatabase();
    ASSERT_TRUE(db_->ok()) << db_->error();
    dir_ = new std::string(MakeGameDir(
        "/tmp/asobi_saves_itest_XXXXXX",
        {{"store.lua", kStoreScript}, {"config.lua", R"(return { store = "store.lua" })"}}));
    server_ = new ServerProcess();
    ServerOptions o;
    o.flags = db_->ServerFlags();
    o.flags.insert(o.flags.end(),
                   {"--rate-limits", "register=1000/1000,auth=1000/1000,api=100000/1000",
                    "--game-dir", *dir_, "--ws-rate-limit", "1000"});
    ASSERT_TRUE(StartReady(server_, o));
  }
  static std::string Code(const HttpResponse& r) {
    return Json(r).Str({"error", "code"}).value_or("<none: " + r.body + ">");
  }
};

TEST_F(SavesTest, PutGetListAndVersions) {
  auto [id, t] = Register("save_basic");
  EXPECT_EQ(Call("GET", "/api/v1/saves", "", t).body, R"({"saves":[]})");
  HttpResponse r = Call("GET", "/api/v1/saves/one", "", t);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(Code(r), "save.not_found");

  r = Call("PUT", "/api/v1/saves/one", R"({"data":{"level":3,"name":"x"}})", t);
  ASSERT_EQ(r.status, 200) << r.body;
  JsonDoc row = Json(r);
  EXPECT_EQ(row.Str({"player_id"}), id);
  EXPECT_EQ(row.Str({"slot"}), "one");
  EXPECT_EQ(row.Int({"version"}), 1);
  EXPECT_EQ(row.Int({"data", "level"}), 3);  // JSONB: key order is PostgreSQL's
  EXPECT_EQ(row.Str({"data", "name"}), "x");
  EXPECT_EQ(row.Str({"id"}).value_or("").size(), 36u);
  EXPECT_EQ(row.Str({"updated_at"}).value_or("").size(), 24u);
  // Without a version: last write wins, version + 1. With the stored version: + 1.
  EXPECT_EQ(Json(Call("PUT", "/api/v1/saves/one", R"({"data":{"level":4}})", t)).Int({"version"}),
            2);
  EXPECT_EQ(Json(Call("PUT", "/api/v1/saves/one", R"({"data":{"level":5},"version":2})", t))
                .Int({"version"}),
            3);
  r = Call("PUT", "/api/v1/saves/one", R"({"data":{"level":6},"version":2})", t);
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(Code(r), "save.version_conflict");
  EXPECT_EQ(Json(r).Int({"error", "details", "current_version"}), 3);
  JsonDoc got = Json(Call("GET", "/api/v1/saves/one", "", t));
  EXPECT_EQ(got.Raw({"data"}), R"({"level":5})");
  EXPECT_EQ(got.Int({"version"}), 3);
  // No data: {} (rest.md default); an empty body too.
  EXPECT_EQ(Json(Call("PUT", "/api/v1/saves/two", "", t)).Raw({"data"}), "{}");
  JsonDoc list = Json(Call("GET", "/api/v1/saves", "", t));
  EXPECT_EQ(list.Str({"saves", "0", "slot"}), "one");
  EXPECT_EQ(list.Int({"saves", "0", "version"}), 3);
  EXPECT_EQ(list.Str({"saves", "1", "slot"}), "two");
  EXPECT_FALSE(list.Has({"saves", "0", "data"}));
  // Another player's slot of the same name is another save.
  auto [other, ot] = Register("save_basic_other");
  EXPECT_EQ(Call("GET", "/api/v1/saves/one", "", ot).status, 404);
  EXPECT_EQ(Call("GET", "/api/v1/saves", "").status, 401);
}

TEST_F(SavesTest, BadInput) {
  auto [id, t] = Register("save_bad");
  for (const char* body : {R"({"data":[1]})", R"({"data":"x"})", R"({"data":{},"version":"1"})",
                           R"({"data":{},"version":1.5})", R"({"data":{},"version":-1})"}) {
    HttpResponse r = Call("PUT", "/api/v1/saves/s", body, t);
    EXPECT_EQ(r.status, 400) << body;
    EXPECT_EQ(Code(r), "invalid_payload") << body;
  }
  EXPECT_EQ(Code(Call("PUT", "/api/v1/saves/s", "{", t)), "invalid_json");
  // 262 144 bytes of encoded data pass; one more is 413 save.too_large.
  const std::string prefix = R"({"k":")";
  std::string fits(262144 - prefix.size() - 2, 'a');
  HttpResponse ok = Call("PUT", "/api/v1/saves/big", R"({"data":)" + prefix + fits + "\"}}", t);
  EXPECT_EQ(ok.status, 200) << ok.body.substr(0, 200);
  HttpResponse big = Call("PUT", "/api/v1/saves/big", R"({"data":)" + prefix + fits + "a\"}}", t);
  EXPECT_EQ(big.status, 413);
  EXPECT_EQ(Code(big), "save.too_large");
  std::string long_slot(256, 's');
  EXPECT_EQ(Code(Call("PUT", "/api/v1/saves/" + long_slot, "{}", t)), "invalid_payload");
  EXPECT_EQ(Code(Call("GET", "/api/v1/saves/" + long_slot, "", t)), "save.not_found");
}

TEST_F(SavesTest, TenSlotsAtMost) {
  auto [id, t] = Register("save_slots");
  for (int i = 0; i < 10; ++i) {
    std::string path("/api/v1/saves/slot");
    path.append(std::to_string(i));
    ASSERT_EQ(Call("PUT", path, "{}", t).status, 200) << i;
  }
  HttpResponse r = Call("PUT", "/api/v1/saves/slot10", "{}", t);
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(Code(r), "save.slot_limit_reached");
  EXPECT_EQ(Call("PUT", "/api/v1/saves/slot3", "{}", t).status, 200);  // updates still work
}

TEST_F(SavesTest, FiftyWritersOneVersionExactlyOneWins) {
  const std::string t = Register("save_race").second;
  ASSERT_EQ(Call("PUT", "/api/v1/saves/race", R"({"data":{"w":-1}})", t).status, 200);
  std::atomic<int> wins{0}, conflicts{0}, other{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 50; ++i) {
    threads.emplace_back([&, i] {
      HttpResponse r = Call("PUT", "/api/v1/saves/race",
                            R"({"version":1,"data":{"w":)" + std::to_string(i) + "}}", t);
      if (r.status == 200) {
        ++wins;
      } else if (r.status == 409 && Code(r) == "save.version_conflict" &&
                 Json(r).Int({"error", "details", "current_version"}) == 2) {
        ++conflicts;
      } else {
        ++other;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wins.load(), 1);
  EXPECT_EQ(conflicts.load(), 49);
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(Json(Call("GET", "/api/v1/saves/race", "", t)).Int({"version"}), 2);
}

TEST_F(SavesTest, StorageOwnershipAndPermissions) {
  auto [a, ta] = Register("sto_a");
  auto [b, tb] = Register("sto_b");
  const std::string k = "/api/v1/storage/inv/k1";
  HttpResponse r = Call("PUT", k, R"({"value":{"a":1}})", ta);
  ASSERT_EQ(r.status, 200) << r.body;
  JsonDoc row = Json(r);
  EXPECT_EQ(row.Str({"collection"}), "inv");
  EXPECT_EQ(row.Str({"key"}), "k1");
  EXPECT_EQ(row.Str({"player_id"}), a);
  EXPECT_EQ(row.Int({"version"}), 1);
  EXPECT_EQ(row.Str({"read_perm"}), "owner");
  EXPECT_EQ(row.Str({"write_perm"}), "owner");
  EXPECT_EQ(row.Raw({"value"}), R"({"a":1})");
  // Owner-only: another player can neither read, write nor delete.
  for (const auto& [method, body] : std::vector<std::pair<std::string, std::string>>{
           {"GET", ""}, {"PUT", R"({"value":{}})"}, {"DELETE", ""}}) {
    HttpResponse f = Call(method, k, body, tb);
    EXPECT_EQ(f.status, 403) << method;
    EXPECT_EQ(Code(f), "storage.forbidden") << method;
  }
  EXPECT_EQ(Json(Call("GET", k, "", ta)).Int({"version"}), 1);
  // The owner opens reads, then writes.
  r = Call("PUT", k, R"({"value":{"a":2},"read_perm":"public"})", ta);
  EXPECT_EQ(Json(r).Int({"version"}), 2);
  EXPECT_EQ(Json(Call("GET", k, "", tb)).Raw({"value"}), R"({"a":2})");
  Call("PUT", k, R"({"value":{"a":3},"write_perm":"public"})", ta);
  // Anyone may change the value of a public-write object, not its permissions or owner.
  r = Call("PUT", k, R"({"value":{"b":4},"read_perm":"owner","write_perm":"owner"})", tb);
  ASSERT_EQ(r.status, 200) << r.body;
  row = Json(r);
  EXPECT_EQ(row.Raw({"value"}), R"({"b":4})");
  EXPECT_EQ(row.Str({"player_id"}), a);
  EXPECT_EQ(row.Str({"read_perm"}), "public");
  EXPECT_EQ(row.Str({"write_perm"}), "public");
  EXPECT_EQ(row.Int({"version"}), 4);
  // Lists: public objects and the caller's own.
  Call("PUT", "/api/v1/storage/inv/k2", R"({"value":{"secret":true}})", ta);
  EXPECT_EQ(Json(Call("GET", "/api/v1/storage/inv", "", ta)).At({"objects"})->get_array().size(),
            2u);
  JsonDoc lb = Json(Call("GET", "/api/v1/storage/inv", "", tb));
  ASSERT_EQ(lb.At({"objects"})->get_array().size(), 1u) << lb.text();
  EXPECT_EQ(lb.Str({"objects", "0", "key"}), "k1");
  EXPECT_EQ(
      Json(Call("GET", "/api/v1/storage/inv?limit=1", "", ta)).At({"objects"})->get_array().size(),
      1u);
  EXPECT_EQ(Call("GET", "/api/v1/storage/nothing", "", ta).body, R"({"objects":[]})");
  // Delete: public-write lets anyone delete; then it is gone.
  EXPECT_EQ(Call("DELETE", k, "", tb).body, R"({"success":true})");
  r = Call("GET", k, "", ta);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(Code(r), "storage.not_found");
  EXPECT_EQ(Code(Call("DELETE", k, "", ta)), "storage.not_found");
  EXPECT_EQ(Call("GET", k, "").status, 401);
}

TEST_F(SavesTest, StorageBadInput) {
  auto [a, ta] = Register("sto_bad");
  const std::string k = "/api/v1/storage/bad/k";
  for (const char* body :
       {R"({"read_perm":"everyone"})", R"({"write_perm":1})", R"({"read_perm":"OWNER"})"}) {
    HttpResponse r = Call("PUT", k, body, ta);
    EXPECT_EQ(r.status, 400) << body;
    EXPECT_EQ(Code(r), "storage.invalid_perm") << body;
  }
  for (const char* body : {R"({"value":[1]})", R"({"value":"x"})", R"({"value":3})"}) {
    HttpResponse r = Call("PUT", k, body, ta);
    EXPECT_EQ(r.status, 400) << body;
    EXPECT_EQ(Code(r), "storage.invalid_request") << body;
  }
  const std::string prefix = R"({"k":")";
  std::string fits(262144 - prefix.size() - 2, 'a');
  EXPECT_EQ(Call("PUT", k, R"({"value":)" + prefix + fits + "\"}}", ta).status, 200);
  HttpResponse big = Call("PUT", k, R"({"value":)" + prefix + fits + "a\"}}", ta);
  EXPECT_EQ(big.status, 413);
  EXPECT_EQ(Code(big), "storage.value_too_large");
  std::string long_key(256, 'k');
  EXPECT_EQ(Code(Call("PUT", "/api/v1/storage/bad/" + long_key, "{}", ta)),
            "storage.invalid_request");
  EXPECT_EQ(Code(Call("GET", "/api/v1/storage/bad/" + long_key, "", ta)), "storage.not_found");
  // Two players' rows under one key (only scripts can make that): 500 storage.conflict.
  auto [b, tb] = Register("sto_bad_b");
  ASSERT_TRUE(db_->Query("INSERT INTO storage (id, collection, key, player_id, value, "
                         "read_perm, write_perm, updated_at) VALUES (gen_random_uuid(), 'dup', "
                         "'k', '" +
                         a +
                         "', '{}', 'public', 'public', now()), (gen_random_uuid(), 'dup', "
                         "'k', '" +
                         b + "', '{}', 'public', 'public', now())")
                  .has_value())
      << db_->error();
  HttpResponse c = Call("GET", "/api/v1/storage/dup/k", "", ta);
  EXPECT_EQ(c.status, 500);
  EXPECT_EQ(Code(c), "storage.conflict");
  EXPECT_EQ(Code(Call("PUT", "/api/v1/storage/dup/k", "{}", ta)), "storage.conflict");
}

TEST_F(SavesTest, LuaStorageGlobalAndPlayerRows) {
  auto [a, ta] = Register("sto_lua");
  LuaPlayer p("store");
  ASSERT_TRUE(p.Join(server_->port(), ta));
  EXPECT_EQ(p.Run(R"("op":"get","c":"cfg","k":"motd")"), R"({"error":"not_found"})");
  EXPECT_EQ(p.Run(R"("op":"set","c":"cfg","k":"motd","v":"hello")"),
            Canon(R"({"ok":{"collection":"cfg","key":"motd","read_perm":"owner","value":"hello",)"
                  R"("version":1,"write_perm":"owner"}})"));
  EXPECT_EQ(p.Run(R"("op":"get","c":"cfg","k":"motd")"), R"({"ok":"hello"})");
  EXPECT_EQ(p.Run(R"("op":"set","c":"cfg","k":"motd","v":{"n":2})"),
            Canon(R"({"ok":{"collection":"cfg","key":"motd","read_perm":"owner","value":{"n":2},)"
                  R"("version":2,"write_perm":"owner"}})"));
  // A player row of the same key is another row, and visible over REST to its owner.
  EXPECT_EQ(p.Run(R"("op":"pget","c":"cfg","k":"motd")"), R"({"error":"not_found"})");
  std::string row = p.Run(R"("op":"pset","c":"cfg","k":"motd","v":{"mine":true})");
  EXPECT_NE(row.find(R"("player_id":")" + a + "\""), std::string::npos) << row;
  EXPECT_EQ(p.Run(R"("op":"pget","c":"cfg","k":"motd")"), R"({"ok":{"mine":true}})");
  EXPECT_EQ(Json(Call("GET", "/api/v1/storage/cfg/motd", "", ta)).Raw({"value"}),
            R"({"mine":true})");
  EXPECT_EQ(p.Run(R"("op":"get","c":"cfg","k":"motd")"), R"({"ok":{"n":2}})");
  // Bad input: {error}, never a raise.
  EXPECT_EQ(p.Run(R"("op":"pset","c":"cfg","k":"x","v":1,"player":"bot_x_abcdef")"),
            R"({"error":"player_not_found"})");
  EXPECT_EQ(p.Run(R"("op":"pset","c":"cfg","k":"x","v":1,)"
                  R"("player":"0190d000-0000-7000-8000-000000000000")"),
            R"({"error":"player_not_found"})");
  EXPECT_EQ(p.Run(R"("op":"set","c":"","k":"x","v":1)"), R"({"error":"invalid_key"})");
  EXPECT_EQ(p.Run(R"("op":"set_big","c":"cfg","k":"big")"), R"({"error":"value_too_large"})");
  EXPECT_EQ(p.Run(R"("op":"set_short","c":"cfg","k":"x")"),
            R"x({"error":"game.storage.set requires (collection, key, value)"})x");
}

}  // namespace
}  // namespace asobi::itest

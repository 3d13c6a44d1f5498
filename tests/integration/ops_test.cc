// The ops plane against the real server and PostgreSQL (rest.md §2.8 ops plane, §3.14;
// docs/decisions.md "Ops API credentials", "Ops API"): every credential refusal is the same
// 403 `forbidden`; the secret, minted v1 tokens (with their classes) and console sessions
// with CSRF work; every read route answers {"data":…}; export, erasure (twice → 404) and the
// guest purge (dry run, confirm_count) write audit rows that GET /ops/audit shows.
#include <gtest/gtest.h>
#include <sodium.h>
#include <time.h>

#include <string>
#include <vector>

#include "http_call.h"
#include "http_client.h"
#include "itest_suite.h"
#include "json_doc.h"
#include "lua_player.h"
#include "pg_test_db.h"
#include "server_harness.h"
#include "server_suite.h"

namespace asobi::itest {
namespace {

const std::string kSecret = "ops-secret-for-tests-0123456789";
const std::string kTokenKey(40, 'k');
constexpr char kNoSuchUuid[] = "0190b000-0000-7000-8000-0000000000ff";
// base64 of 32 bytes: a guest device secret (rest.md §2.7).
constexpr char kDeviceSecret[] = "YWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWE=";

// A v1 token signed here with the server's key (docs/decisions.md "Ops API credentials").
std::string SignV1(const std::string& key, int64_t exp, const std::string& classes,
                   const std::string& label) {
  auto b64 = [](const unsigned char* p, size_t n) {
    std::string out(sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_URLSAFE_NO_PADDING), 0);
    sodium_bin2base64(out.data(), out.size(), p, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    out.resize(out.size() - 1);
    return out;
  };
  std::string prefix = "v1." + std::to_string(exp) + "." + classes + "." +
                       b64(reinterpret_cast<const unsigned char*>(label.data()), label.size());
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(prefix.data()),
                                prefix.size());
  crypto_auth_hmacsha256_final(&st, mac);
  return prefix + "." + b64(mac, sizeof mac);
}

bool HasPath(const JsonDoc& d, const std::vector<std::string>& p) {
  switch (p.size()) {
    case 2:
      return d.Has({p[0], p[1]});
    case 3:
      return d.Has({p[0], p[1], p[2]});
    default:
      return d.Has({p[0], p[1], p[2], p[3]});
  }
}

// The game's ops script (config.lua global `ops`): actions with their classes.
const char kOpsScript[] = R"(
rpc.register("shop.echo", function(actor, params)
  return { actor = actor, method = params.method, q = params.query.q, n = params.body.n }
end, { class = "read" })
rpc.register("shop.grant", function(actor, params)
  if not params.body.player_id then return rpc.error("shop.bad_request", "player_id?") end
  local w = game.economy.grant(params.body.player_id, "gold", 5, "ops_grant")
  return { granted = 5, by = actor }
end, { class = "config", errors = { ["shop.bad_request"] = 422 } })
rpc.register("shop.wipe", function() return {} end, { class = "erasure" })
)";

class OpsTest : public ServerSuite<OpsTest> {
 protected:
  static void SetUpTestSuite() {
    db_ = new TestDatabase();
    ASSERT_TRUE(db_->ok()) << db_->error();
    dir_ = new std::string(
        MakeGameDir("/tmp/asobi_ops_itest_XXXXXX",
                    {{"solo.lua", SoloLuaMode("local function run(p, i) return {} end\n")},
                     {"ops.lua", kOpsScript},
                     {"config.lua", "ops = \"ops.lua\"\nreturn { solo = \"solo.lua\" }\n"}}));
    server_ = new ServerProcess();
    ServerOptions o;
    o.flags = db_->ServerFlags();
    o.flags.insert(o.flags.end(),
                   {"--game-dir", *dir_, "--ops-secret", kSecret, "--ops-token-secret", kTokenKey,
                    "--console", "--guest-auth", "--guest-pepper", std::string(40, 'p'),
                    "--rate-limits", "register=1000/1000,auth=1000/1000,api=100000/1000"});
    ASSERT_TRUE(StartReady(server_, o));
  }

  // One request with raw extra header lines ("Name: v\r\n").
  static HttpResponse Req(const std::string& method, const std::string& path,
                          const std::string& body, const std::string& headers) {
    HttpClient c;
    EXPECT_TRUE(c.Connect(server_->port()));
    std::string r = method + " " + path + " HTTP/1.1\r\nHost: t\r\n" + headers;
    if (method != "GET") {
      r += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
           "\r\n";
    }
    r += "\r\n" + body;
    EXPECT_TRUE(c.SendRaw(r));
    std::optional<HttpResponse> resp = c.ReadResponse();
    EXPECT_TRUE(resp.has_value()) << c.error();
    return resp.value_or(HttpResponse{});
  }
  static HttpResponse Ops(const std::string& method, const std::string& path,
                          const std::string& body = "") {
    return Call(method, path, body, kSecret);
  }
  static std::string Code(const HttpResponse& r) {
    return Json(r).Str({"error", "code"}).value_or("<none>");
  }
  static std::string Mint(const std::string& classes, int ttl = 3600) {
    HttpResponse r = Ops("POST", "/ops/tokens",
                         R"({"label":"ci","classes":[)" + classes + R"(],"ttl_seconds":)" +
                             std::to_string(ttl) + "}");
    EXPECT_EQ(r.status, 200) << r.body;
    return Json(r).Str({"data", "token"}).value_or("");
  }
  static std::string Q(const std::string& sql) { return db_->Query(sql).value_or("<error>"); }
  static std::string Guest(const std::string& device) {
    HttpResponse r =
        Call("POST", "/api/v1/auth/guest",
             R"({"device_id":")" + device + R"(","device_secret":")" + kDeviceSecret + R"("})");
    EXPECT_EQ(r.status, 200) << r.body;
    return Json(r).Str({"player_id"}).value_or("");
  }
};

// rest.md §2.8: every refusal is 403 `forbidden` with one body, whatever the credential.
TEST_F(OpsTest, EveryRefusedCredentialIsForbidden) {
  auto [pid, player_token] = Register("ops_refused");
  std::string read_token = Mint(R"("read")");
  ASSERT_FALSE(read_token.empty());
  const int64_t now = int64_t(time(nullptr));
  std::string expired = SignV1(kTokenKey, now - 1, "read", "ci");
  std::string other_key = SignV1(std::string(40, 'z'), now + 3600, "read", "ci");
  // Signed here with the right key and a future expiry, the same format is accepted.
  EXPECT_EQ(Call("GET", "/ops/stats", "", SignV1(kTokenKey, now + 3600, "read", "ci")).status, 200);
  // Forged: the same claims with the last signature character changed; and a token minted
  // with another key cannot be told apart from it.
  std::string forged = read_token;
  forged.back() = forged.back() == 'A' ? 'B' : 'A';
  std::string upgraded = read_token;
  upgraded.replace(upgraded.find(".read."), 6, ".read,erasure.");
  std::vector<HttpResponse> refused = {
      Call("GET", "/ops/stats"),
      Call("GET", "/ops/stats", "", "wrong-secret"),
      Call("GET", "/ops/stats", "", kSecret + "x"),
      Call("GET", "/ops/stats", "", player_token),
      Call("GET", "/ops/stats", "", forged),
      Call("GET", "/ops/stats", "", expired),
      Call("GET", "/ops/stats", "", other_key),
      Call("GET", "/ops/stats", "", upgraded),
      Call("GET", "/ops/stats", "", "v1.1.read.Y2k.xyz"),
      Req("GET", "/ops/stats", "", "Authorization: Basic " + kSecret + "\r\n"),
      Req("GET", "/ops/stats", "", "Cookie: asobi_console=abc; asobi_console_csrf=def\r\n"),
      Req("POST", "/ops/players/" + pid + "/erase", R"({"username":"ops_refused"})",
          "Authorization: Bearer " + read_token + "\r\n"),
      Req("POST", "/ops/tokens", R"({"label":"x","classes":["read"]})",
          "Authorization: Bearer " + read_token + "\r\n"),
  };
  std::string first_body;
  for (size_t i = 0; i < refused.size(); ++i) {
    EXPECT_EQ(refused[i].status, 403) << i << " " << refused[i].body;
    EXPECT_EQ(Code(refused[i]), "forbidden") << i;
    if (i == 0) first_body = refused[i].body;
    EXPECT_EQ(refused[i].body, first_body) << i;
  }
  // The read token works for reads; the player still exists.
  HttpResponse ok = Call("GET", "/ops/players/" + pid, "", read_token);
  EXPECT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(Json(ok).Str({"data", "username"}), "ops_refused");
}

TEST_F(OpsTest, MintedTokenCarriesClassesAndExpiry) {
  HttpResponse r = Ops("POST", "/ops/tokens", R"({"label":"bot","classes":["read","config"]})");
  ASSERT_EQ(r.status, 200) << r.body;
  JsonDoc d = Json(r);
  EXPECT_EQ(d.Str({"data", "session", "source"}), "token");
  EXPECT_EQ(d.Raw({"data", "session", "classes"}), R"(["read","config"])");
  EXPECT_GT(d.Int({"data", "expires_at_s"}).value_or(0), 0);
  EXPECT_EQ(Ops("POST", "/ops/tokens", R"({"label":"bot"})").status, 400);
  EXPECT_EQ(Code(Ops("POST", "/ops/tokens", R"({"label":"bot","classes":["root"]})")),
            "invalid_payload");
  EXPECT_EQ(Q("SELECT count(*) FROM ops_audit_entries WHERE action = 'ops.tokens.mint' AND "
              "target_id = 'bot'"),
            "1");
}

TEST_F(OpsTest, ConsoleSessionNeedsCsrf) {
  HttpResponse bad = Call("POST", "/console/session", R"({"secret":"nope"})");
  EXPECT_EQ(bad.status, 403);
  EXPECT_EQ(Code(bad), "forbidden");
  HttpResponse r =
      Call("POST", "/console/session", R"({"secret":")" + kSecret + R"(","label":"alice"})");
  ASSERT_EQ(r.status, 200) << r.body;
  std::string sid, csrf;
  for (const auto& [k, v] : r.headers) {
    if (k != "set-cookie") continue;
    std::string val = v.substr(v.find('=') + 1, v.find(';') - v.find('=') - 1);
    if (v.rfind("asobi_console=", 0) == 0) {
      sid = val;
      EXPECT_NE(v.find("HttpOnly"), std::string::npos);
      EXPECT_NE(v.find("SameSite=Lax"), std::string::npos);
      EXPECT_NE(v.find("Max-Age=43200"), std::string::npos);
    }
    if (v.rfind("asobi_console_csrf=", 0) == 0) csrf = val;
  }
  ASSERT_FALSE(sid.empty());
  ASSERT_FALSE(csrf.empty());
  EXPECT_EQ(Json(r).Str({"data", "csrf_token"}), csrf);
  std::string cookie = "Cookie: asobi_console=" + sid + "; asobi_console_csrf=" + csrf + "\r\n";
  EXPECT_EQ(Req("GET", "/ops/stats", "", cookie + "x-csrf-token: " + csrf + "\r\n").status, 200);
  HttpResponse no_csrf = Req("GET", "/ops/stats", "", cookie);
  EXPECT_EQ(no_csrf.status, 403);
  EXPECT_EQ(Code(no_csrf), "forbidden");
  EXPECT_EQ(Req("GET", "/ops/stats", "", cookie + "x-csrf-token: " + sid + "\r\n").status, 403);
  HttpResponse who = Req("GET", "/console/session", "", cookie + "x-csrf-token: " + csrf + "\r\n");
  EXPECT_EQ(Json(who).Str({"data", "session", "actor_id"}), "console:alice");
  EXPECT_EQ(Req("DELETE", "/console/session", "", cookie + "x-csrf-token: " + csrf + "\r\n").status,
            200);
  EXPECT_EQ(Req("GET", "/ops/stats", "", cookie + "x-csrf-token: " + csrf + "\r\n").status, 403);
}

TEST_F(OpsTest, PlayersListFiltersPagesAndLooksUp) {
  auto [pid, tok] = Register("ops_list_alpha");
  Register("ops_list_beta");
  std::string guest = Guest("ops-list-device");
  HttpResponse r = Ops("GET", "/ops/players?q=ops_list_&limit=1&sort=username&order=ASC");
  ASSERT_EQ(r.status, 200) << r.body;
  JsonDoc d = Json(r);
  EXPECT_EQ(d.Int({"page", "total"}), 2);
  EXPECT_EQ(d.Int({"page", "limit"}), 1);
  EXPECT_EQ(d.Str({"data", "0", "username"}), "ops_list_alpha");
  EXPECT_EQ(Json(Ops("GET", "/ops/players?q=ops_list_&limit=1&page=2&sort=username&order=asc"))
                .Str({"data", "0", "username"}),
            "ops_list_beta");
  // `_` is literal in q: "ops%list" matches nothing.
  EXPECT_EQ(Json(Ops("GET", "/ops/players?q=ops%25list")).Int({"page", "total"}), 0);
  JsonDoc guests = Json(Ops("GET", "/ops/players?guest=true&limit=200"));
  EXPECT_NE(guests.text().find(guest), std::string::npos);
  EXPECT_EQ(guests.text().find(pid), std::string::npos);
  HttpResponse bad_sort = Ops("GET", "/ops/players?sort=password");
  EXPECT_EQ(bad_sort.status, 400);
  EXPECT_EQ(Code(bad_sort), "ops.unknown_sort_field");
  EXPECT_EQ(Json(bad_sort).Str({"field"}), "password");
  HttpResponse bad_order = Ops("GET", "/ops/players?order=sideways");
  EXPECT_EQ(Code(bad_order), "ops.unknown_sort_order");
  EXPECT_EQ(Json(bad_order).Str({"order"}), "sideways");

  Q("INSERT INTO wallets (id, player_id, currency, balance, inserted_at, updated_at) VALUES "
    "('0190b000-0000-7000-8000-0000000000a1', '" +
    pid + "', 'gold', 42, now(), now())");
  HttpResponse one = Ops("GET", "/ops/players/" + pid);
  ASSERT_EQ(one.status, 200) << one.body;
  JsonDoc p = Json(one);
  EXPECT_EQ(p.Str({"data", "username"}), "ops_list_alpha");
  EXPECT_EQ(p.Int({"data", "wallets", "0", "balance"}), 42);
  EXPECT_TRUE(p.Has({"data", "items"}));
  EXPECT_TRUE(p.Has({"data", "saves"}));
  EXPECT_TRUE(p.Has({"data", "matches"}));
  EXPECT_EQ(p.text().find("hashed_password"), std::string::npos);
  EXPECT_EQ(Code(Ops("GET", "/ops/players/not-a-uuid")), "ops.invalid_id");
  EXPECT_EQ(Code(Ops("GET", std::string("/ops/players/") + kNoSuchUuid)), "ops.not_found");
}

TEST_F(OpsTest, ExportThenEraseTwice) {
  auto [pid, tok] = Register("ops_erase_me");
  HttpResponse exp = Ops("GET", "/ops/players/" + pid + "/export");
  ASSERT_EQ(exp.status, 200) << exp.body;
  EXPECT_EQ(Json(exp).Str({"data", "player", "username"}), "ops_erase_me");
  EXPECT_EQ(Code(Ops("GET", std::string("/ops/players/") + kNoSuchUuid + "/export")),
            "ops.not_found");
  std::string path = "/ops/players/" + pid + "/erase";
  EXPECT_EQ(Code(Ops("POST", path, "{}")), "ops.confirmation_required");
  EXPECT_EQ(Code(Ops("POST", path, R"({"username":"someone_else"})")), "ops.confirmation_mismatch");
  HttpResponse ok = Ops("POST", path, R"({"username":"ops_erase_me"})");
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(Json(ok).Raw({"data"}), "{\"player_id\":\"" + pid + "\",\"erased\":true}");
  HttpResponse again = Ops("POST", path, R"({"username":"ops_erase_me"})");
  EXPECT_EQ(again.status, 404);
  EXPECT_EQ(Code(again), "ops.not_found");
  EXPECT_EQ(Call("GET", "/api/v1/players/" + pid, "", tok).status, 401);
  EXPECT_EQ(Q("SELECT count(*) FROM players WHERE id = '" + pid + "'"), "0");
  EXPECT_EQ(Q("SELECT actor_id || '/' || actor_source FROM ops_audit_entries WHERE action = "
              "'players.erase' AND target_id = '" +
              pid + "'"),
            "ops_secret/secret");
  HttpResponse audit = Ops("GET", "/ops/audit?target_id=" + pid);
  ASSERT_EQ(audit.status, 200) << audit.body;
  JsonDoc a = Json(audit);
  EXPECT_EQ(a.Int({"page", "total"}), 2);  // the export and the erasure
  EXPECT_EQ(a.Str({"data", "0", "action"}), "players.erase");
  EXPECT_EQ(a.Str({"data", "1", "action"}), "players.export");
}

TEST_F(OpsTest, GuestPurgeDryRunConfirmCount) {
  std::string old_guest = Guest("ops-purge-old");
  std::string new_guest = Guest("ops-purge-new");
  Q("UPDATE player_identities SET updated_at = now() - interval '10 days' WHERE player_id = '" +
    old_guest + "'");
  const std::string p = "/ops/players/guests/purge";
  EXPECT_EQ(Code(Ops("POST", p, "{}")), "missing_field");
  EXPECT_EQ(Code(Ops("POST", p, R"({"inactive_for_seconds":-1})")), "ops.invalid_cutoff");
  HttpResponse no_confirm = Ops("POST", p, R"({"inactive_for_seconds":86400})");
  EXPECT_EQ(no_confirm.status, 400);
  EXPECT_EQ(Code(no_confirm), "ops.confirmation_required");
  HttpResponse dry = Ops("POST", p, R"({"inactive_for_seconds":86400,"dry_run":true})");
  ASSERT_EQ(dry.status, 200) << dry.body;
  EXPECT_EQ(Json(dry).Raw({"data"}),
            R"({"matched":1,"deleted":0,"skipped":0,"failed":0,"remaining":1,"dry_run":true})");
  HttpResponse wrong = Ops("POST", p, R"({"inactive_for_seconds":86400,"confirm_count":5})");
  EXPECT_EQ(wrong.status, 409);
  EXPECT_EQ(Code(wrong), "ops.purge_count_mismatch");
  HttpResponse run = Ops("POST", p, R"({"inactive_for_seconds":86400,"confirm_count":1})");
  ASSERT_EQ(run.status, 200) << run.body;
  EXPECT_EQ(Json(run).Raw({"data"}),
            R"({"matched":1,"deleted":1,"skipped":0,"failed":0,"remaining":0,"dry_run":false})");
  EXPECT_EQ(Q("SELECT count(*) FROM players WHERE id = '" + old_guest + "'"), "0");
  EXPECT_EQ(Q("SELECT count(*) FROM players WHERE id = '" + new_guest + "'"), "1");
  EXPECT_EQ(Q("SELECT succeeded_count FROM ops_audit_entries WHERE action = "
              "'players.guests.purge'"),
            "1");
}

// Every read route of §3.14 (and the console's worlds and audit) answers {"data":…}.
TEST_F(OpsTest, ReadRoutesAnswerData) {
  auto [pid, tok] = Register("ops_reader");
  const std::string item = "0190b000-0000-7000-8000-0000000000b1";
  const std::string listing = "0190b000-0000-7000-8000-0000000000b2";
  const std::string tourn = "0190b000-0000-7000-8000-0000000000b3";
  Q("INSERT INTO item_defs (id, slug, name, category, inserted_at, updated_at) VALUES ('" + item +
    "', 'ops_sword', 'Sword', 'weapon', now(), now())");
  Q("INSERT INTO store_listings (id, item_def_id, currency, price) VALUES ('" + listing + "', '" +
    item + "', 'gold', 10)");
  Q("INSERT INTO leaderboard_entries (id, leaderboard_id, player_id, score, updated_at) VALUES "
    "('0190b000-0000-7000-8000-0000000000b4', 'ops_board', '" +
    pid + "', 7, now())");
  Q("INSERT INTO chat_messages (id, channel_type, channel_id, sender_id, content, sent_at) "
    "VALUES ('0190b000-0000-7000-8000-0000000000b5', 'room', 'ops_room', '" +
    pid + "', 'hello ops', now())");
  Q("INSERT INTO tournaments (id, name, leaderboard_id, status, start_at, end_at) VALUES ('" +
    tourn + "', 'Ops Cup', 'ops_board', 'running', now(), now() + interval '1 day')");
  Q("INSERT INTO notifications (id, player_id, type, subject, sent_at) VALUES "
    "('0190b000-0000-7000-8000-0000000000b6', '" +
    pid + "', 'ops', 'hi', now())");
  struct Case {
    std::string path;
    std::vector<std::string> want;  // a data path that must exist
  };
  std::vector<Case> cases = {
      {"/ops/stats", {"data", "players"}},
      {"/ops/features", {"data", "flags", "console"}},
      {"/ops/matchmaker", {"data", "pending_tickets"}},
      {"/ops/matches", {"page", "total"}},
      {"/ops/worlds", {"page", "total"}},
      {"/ops/leaderboards?q=ops_board", {"data", "0", "entries"}},
      {"/ops/leaderboards/ops_board/entries", {"data", "0", "rank"}},
      {"/ops/economy/items?q=ops_sword", {"data", "0", "slug"}},
      {"/ops/economy/items/" + item, {"data", "slug"}},
      {"/ops/economy/listings?q=ops_sword", {"data", "0", "price"}},
      {"/ops/economy/listings/" + listing, {"data", "item_slug"}},
      {"/ops/chat/channels?q=ops_room", {"data", "0", "messages"}},
      {"/ops/chat/channels/ops_room/messages", {"data", "0", "content"}},
      {"/ops/tournaments?status=running", {"data", "0", "participants"}},
      {"/ops/tournaments/" + tourn, {"data", "name"}},
      {"/ops/notifications?player_id=" + pid, {"data", "0", "subject"}},
      {"/ops/audit", {"page", "total"}},
  };
  for (const Case& c : cases) {
    HttpResponse r = Ops("GET", c.path);
    EXPECT_EQ(r.status, 200) << c.path << " " << r.body;
    EXPECT_TRUE(HasPath(Json(r), c.want)) << c.path << " " << r.body;
  }
  EXPECT_EQ(Json(Ops("GET", "/ops/leaderboards/ops_board/entries")).Int({"data", "0", "score"}), 7);
  EXPECT_EQ(Code(Ops("GET", "/ops/notifications?player_id=nope")), "ops.invalid_filter");
  EXPECT_EQ(Code(Ops("GET", "/ops/economy/items/nope")), "ops.invalid_id");
  EXPECT_EQ(Code(Ops("GET", std::string("/ops/economy/listings/") + kNoSuchUuid)), "ops.not_found");
  EXPECT_EQ(Code(Ops("GET", std::string("/ops/tournaments/") + kNoSuchUuid)), "ops.not_found");
  EXPECT_EQ(Code(Ops("GET", std::string("/ops/matches/") + kNoSuchUuid)), "ops.not_found");
  EXPECT_EQ(Code(Ops("GET", std::string("/ops/worlds/") + kNoSuchUuid)), "ops.not_found");
  EXPECT_EQ(Code(Ops("GET", "/ops/matches/xyz")), "ops.invalid_id");
  EXPECT_EQ(Code(Ops("GET", "/ops/leaderboards/" + std::string(300, 'b') + "/entries")),
            "ops.invalid_board_id");
}

// rest.md §3.14 extension actions: the declared class gates the call, mutating calls are
// audited, declared errors keep their status, unknown actions are 404.
// A live match's detail carries its roster, read on the match's owner shard.
TEST_F(OpsTest, LiveMatchDetailListsItsRoster) {
  const auto reg = Register("ops_roster");
  LuaPlayer player("solo");
  ASSERT_TRUE(player.Join(server_->port(), reg.second));
  JsonDoc list = Json(Ops("GET", "/ops/matches?limit=100"));
  bool found = false;
  for (int i = 0; i < 100 && !found; ++i) {
    auto id = list.Str({"data", std::to_string(i), "match_id"});
    if (!id) break;
    JsonDoc detail = Json(Ops("GET", "/ops/matches/" + *id));
    if (detail.Str({"data", "live", "players", "0", "player_id"}).value_or("") != reg.first) {
      continue;
    }
    found = true;
    EXPECT_EQ(detail.Str({"data", "id"}).value_or(""), *id);
    EXPECT_EQ(detail.Str({"data", "live", "mode"}).value_or(""), "solo");
    EXPECT_EQ(detail.Raw({"data", "live", "players", "0", "connected"}).value_or(""), "true");
    EXPECT_FALSE(detail.Str({"data", "live", "players", "1", "player_id"}).has_value());
  }
  EXPECT_TRUE(found) << list.text();
}

TEST_F(OpsTest, ExtensionActionsRunLuaWithClasses) {
  auto [pid, tok] = Register("ops_ext_target");
  HttpResponse echo = Ops("GET", "/ops/ext/shop/echo?q=hi");
  ASSERT_EQ(echo.status, 200) << echo.body;
  EXPECT_EQ(Json(echo).Str({"data", "actor"}), "ops_secret");
  EXPECT_EQ(Json(echo).Str({"data", "q"}), "hi");
  EXPECT_EQ(Json(echo).Str({"data", "method"}), "GET");
  HttpResponse grant = Ops("POST", "/ops/ext/shop/grant", R"({"player_id":")" + pid + R"("})");
  ASSERT_EQ(grant.status, 200) << grant.body;
  EXPECT_EQ(Json(grant).Int({"data", "granted"}), 5);
  EXPECT_EQ(Q("SELECT balance FROM wallets WHERE player_id = '" + pid + "'"), "5");
  EXPECT_EQ(Q("SELECT outcome FROM ops_audit_entries WHERE action = 'ext.shop.grant'"), "ok");
  HttpResponse bad = Ops("POST", "/ops/ext/shop/grant", "{}");
  EXPECT_EQ(bad.status, 422);
  EXPECT_EQ(Code(bad), "shop.bad_request");
  EXPECT_EQ(Code(Ops("GET", "/ops/ext/shop/nothing")), "ops.not_found");
  std::string read_token = Mint(R"("read")");
  EXPECT_EQ(Call("GET", "/ops/ext/shop/echo", "", read_token).status, 200);
  HttpResponse refused =
      Call("POST", "/ops/ext/shop/grant", R"({"player_id":")" + pid + R"("})", read_token);
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(Code(refused), "forbidden");
  EXPECT_EQ(Call("DELETE", "/ops/ext/shop/wipe", "", read_token).status, 403);
}

// Without --ops-secret every ops route is 403, and without --console /console/session is 404.
class OpsOffTest : public ServerSuite<OpsOffTest> {
 protected:
  static void SetUpTestSuite() {
    db_ = new TestDatabase();
    ASSERT_TRUE(db_->ok()) << db_->error();
    server_ = new ServerProcess();
    ServerOptions o;
    o.flags = db_->ServerFlags();
    ASSERT_TRUE(StartReady(server_, o));
  }
};

TEST_F(OpsOffTest, UnsetSecretRefusesEverything) {
  for (const std::string& bearer : {std::string(""), std::string("anything"), std::string("v1.")}) {
    HttpResponse r = Call("GET", "/ops/stats", "", bearer);
    EXPECT_EQ(r.status, 403) << r.body;
    EXPECT_EQ(Json(r).Str({"error", "code"}), "forbidden");
  }
  HttpResponse c = Call("POST", "/console/session", R"({"secret":""})");
  EXPECT_EQ(c.status, 404);
  EXPECT_EQ(Json(c).Str({"error", "code"}), "console.not_found");
}

}  // namespace
}  // namespace asobi::itest

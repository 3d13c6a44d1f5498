// The ops plane against the real server and PostgreSQL (rest.md §2.8 ops plane, §3.14;
// docs/decisions.md "Ops API credentials", "Ops API"): every credential refusal is the same
// 403 `forbidden`; the secret, minted v1 tokens (with their classes) and console sessions
// with CSRF work; every read route answers {"data":…}; export, erasure (twice → 404) and the
// guest purge (dry run, confirm_count) write audit rows that GET /ops/audit shows.
#include <gtest/gtest.h>
#include <sodium.h>
#include <time.h>

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "http_call.h"
#include "http_client.h"
#include "itest_checks.h"
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
rpc.register("shop.broken", function() error("boom") end, { class = "read" })
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
  // `count` players `<prefix><first>`… inserted directly with inserted_at = updated_at = `at`
  // (SQL); equal timestamps exercise the keyset's id tie-break.
  static void SeedPlayers(const std::string& prefix, int first, int count, const std::string& at) {
    std::string out =
        Q("INSERT INTO players (id, username, display_name, inserted_at, updated_at) SELECT "
          "('0190c000-0000-7000-8000-' || lpad(to_hex(i + " +
          std::to_string(first) + "), 12, '0') || '')::uuid, '" + prefix +
          "' || i, 'Cursor ' || i, " + at + ", " + at + " FROM generate_series(" +
          std::to_string(first) + ", " + std::to_string(first + count - 1) + ") i");
    EXPECT_NE(out, "<error>");
  }

  // Follows `next_cursor` from `path` to the end; returns the usernames in order and checks
  // that each page's offset continues the previous one.
  static std::vector<std::string> Walk(const std::string& path, int limit,
                                       const std::function<void(int)>& between = {}) {
    std::vector<std::string> names;
    std::string next = path;
    for (int page = 0; page < 20; ++page) {
      HttpResponse r = Ops("GET", next);
      EXPECT_EQ(r.status, 200) << r.body;
      JsonDoc d = Json(r);
      EXPECT_EQ(d.Int({"page", "offset"}), int64_t(names.size())) << next;
      EXPECT_EQ(d.Raw({"page", "total_exact"}), "true");
      for (int i = 0; i < limit; ++i) {
        std::optional<std::string> u = d.Str({"data", std::to_string(i), "username"});
        if (u) names.push_back(*u);
      }
      std::optional<std::string> cursor = d.Str({"page", "next_cursor"});
      if (!cursor) {
        EXPECT_EQ(d.Raw({"page", "next_cursor"}), "null");
        return names;
      }
      if (between) between(page);
      next = path + "&cursor=" + *cursor;
    }
    ADD_FAILURE() << "no last page";
    return names;
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
  // Signing in and out are audited; the refused attempt is not.
  EXPECT_EQ(Q("SELECT string_agg(action || ' ' || actor_id || ' ' || target_id, ',' ORDER BY "
              "occurred_at, action DESC) FROM ops_audit_entries WHERE action LIKE "
              "'console.session.%' AND target_id = 'alice'"),
            "console.session.open console:alice alice,console.session.close console:alice alice");
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

// docs/decisions.md "Ops player list: keyset cursor, …": following next_cursor visits every
// row once in order, for every sort field and order, and rows inserted meanwhile neither
// repeat nor hide the others.
TEST_F(OpsTest, PlayersCursorPagesWithoutDuplicatesOrGaps) {
  SeedPlayers("ops_cur_", 0, 7, "'2026-01-02T03:04:05.123456Z'");
  std::vector<std::string> asc = {"ops_cur_0", "ops_cur_1", "ops_cur_2", "ops_cur_3",
                                  "ops_cur_4", "ops_cur_5", "ops_cur_6"};
  std::vector<std::string> desc(asc.rbegin(), asc.rend());
  EXPECT_EQ(Walk("/ops/players?q=ops_cur_&limit=3&sort=username&order=asc", 3), asc);
  EXPECT_EQ(Walk("/ops/players?q=ops_cur_&limit=3&sort=username&order=desc", 3), desc);
  // Equal timestamps: (inserted_at, id) orders by id, which grows with the suffix here.
  EXPECT_EQ(Walk("/ops/players?q=ops_cur_&limit=2&sort=inserted_at&order=asc", 2), asc);
  EXPECT_EQ(Walk("/ops/players?q=ops_cur_&limit=2", 2), desc);
  EXPECT_EQ(Walk("/ops/players?q=ops_cur_&limit=4&sort=updated_at&order=desc", 4), desc);
  // The cursor carries sort and order: repeating them is allowed, omitting them too.
  HttpResponse first = Ops("GET", "/ops/players?q=ops_cur_&limit=3&sort=username&order=asc");
  std::string cursor = Json(first).Str({"page", "next_cursor"}).value_or("");
  ASSERT_FALSE(cursor.empty());
  EXPECT_EQ(Json(Ops("GET", "/ops/players?q=ops_cur_&limit=3&cursor=" + cursor))
                .Str({"data", "0", "username"}),
            "ops_cur_3");
  // Newer rows inserted while paging newest-first land before the cursor: the walk still
  // sees each original row exactly once.
  SeedPlayers("ops_ins_", 100, 5, "now() - interval '1 hour'");
  int added = 0;
  std::vector<std::string> seen = Walk("/ops/players?q=ops_ins_&limit=2", 2, [&added](int) {
    SeedPlayers("ops_ins_new_", 200 + added, 1, "now()");
    ++added;
  });
  EXPECT_EQ(seen, (std::vector<std::string>{"ops_ins_104", "ops_ins_103", "ops_ins_102",
                                            "ops_ins_101", "ops_ins_100"}));
  // Oldest-first, rows added at the end show up once, after the original ones.
  std::vector<std::string> tail = Walk("/ops/players?q=ops_ins_&limit=3&order=asc", 3);
  ASSERT_EQ(tail.size(), size_t(5 + added));
  EXPECT_EQ(tail[4], "ops_ins_104");
  EXPECT_EQ(tail[5], "ops_ins_new_200");
}

// A cursor that is not one of ours, names another sort, or contradicts sort/order: 400
// `ops.invalid_cursor` in the error envelope.
TEST_F(OpsTest, PlayersMalformedCursorIs400) {
  SeedPlayers("ops_badcur_", 300, 3, "now()");
  HttpResponse first = Ops("GET", "/ops/players?q=ops_badcur_&limit=1&sort=username&order=asc");
  std::string good = Json(first).Str({"page", "next_cursor"}).value_or("");
  ASSERT_FALSE(good.empty());
  // base64url of "c1 inserted_at desc 0 <id> notanumber" and of "c1 zone asc 0 <id> x".
  const std::string id = "0190c000-0000-7000-8000-00000000012c";
  auto b64 = [](const std::string& raw) {
    std::string out(sodium_base64_ENCODED_LEN(raw.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING),
                    0);
    sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(raw.data()),
                      raw.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    out.resize(out.size() - 1);
    return out;
  };
  for (const std::string& bad :
       {std::string("garbage!"), std::string("AAAA"), good.substr(0, good.size() - 3),
        std::string(3000, 'A'), b64("c1 inserted_at desc 0 " + id + " notanumber"),
        b64("c1 updated_at asc 0 " + id + " 9000000000000000000"),
        b64("c1 zone asc 0 " + id + " x"), b64("c1 username asc 0 " + id + " \xc3")}) {
    HttpResponse r = Ops("GET", "/ops/players?cursor=" + bad);
    EXPECT_EQ(r.status, 400) << bad << " " << r.body;
    EXPECT_EQ(Code(r), "ops.invalid_cursor") << bad;
    EXPECT_TRUE(Json(r).Str({"error", "message"}).has_value());
  }
  HttpResponse other_sort = Ops("GET", "/ops/players?sort=inserted_at&cursor=" + good);
  EXPECT_EQ(Code(other_sort), "ops.invalid_cursor");
  HttpResponse other_order = Ops("GET", "/ops/players?order=desc&cursor=" + good);
  EXPECT_EQ(Code(other_order), "ops.invalid_cursor");
  EXPECT_EQ(Ops("GET", "/ops/players?q=ops_badcur_&order=ASC&cursor=" + good).status, 200);
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

// The channel list reads chat_channel_stats, which the triggers on chat_messages keep exact:
// a multi-row INSERT (as the batched history writer sends), then moderation deletes.
TEST_F(OpsTest, ChannelListFollowsHistoryWritesAndDeletes) {
  auto [pid, tok] = Register("ops_tally");
  const std::string m1 = "0190b000-0000-7000-8000-0000000000c1";
  const std::string m2 = "0190b000-0000-7000-8000-0000000000c2";
  Q("INSERT INTO chat_messages (id, channel_type, channel_id, sender_id, content, sent_at) "
    "VALUES ('" +
    m1 + "', 'room', 'ops_tally', '" + pid + "', 'one', '2026-01-01T00:00:01Z'), ('" + m2 +
    "', 'room', 'ops_tally', '" + pid + "', 'two', '2026-01-01T00:00:02Z')");
  JsonDoc list = Json(Ops("GET", "/ops/chat/channels?q=ops_tally"));
  EXPECT_EQ(list.Int({"page", "total"}), 1);
  EXPECT_EQ(list.Int({"data", "0", "messages"}), 2);
  EXPECT_EQ(list.Str({"data", "0", "last_message_at"}).value_or(""), "2026-01-01T00:00:02.000Z");

  EXPECT_EQ(Ops("DELETE", "/ops/chat/messages/" + m2).status, 200);
  list = Json(Ops("GET", "/ops/chat/channels?q=ops_tally"));
  EXPECT_EQ(list.Int({"data", "0", "messages"}), 1);
  EXPECT_EQ(list.Str({"data", "0", "last_message_at"}).value_or(""), "2026-01-01T00:00:01.000Z");

  EXPECT_EQ(Ops("DELETE", "/ops/chat/messages/" + m1).status, 200);
  list = Json(Ops("GET", "/ops/chat/channels?q=ops_tally"));
  EXPECT_EQ(list.Int({"page", "total"}), 0);
  // Small tables are counted exactly: nothing is listed as an estimate.
  JsonDoc stats = Json(Ops("GET", "/ops/stats"));
  EXPECT_TRUE(HasPath(stats, {"data", "chat_messages"}));
  EXPECT_FALSE(HasPath(stats, {"data", "estimated", "0"}));
  EXPECT_TRUE(HasPath(stats, {"data", "estimated"}));
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
  // An action that raises answers 500 and is counted on /metrics (issue 15 item 3).
  const std::string series =
      "asobi_lua_callback_failures_total{script=\"ops\",callback=\"action\",kind=\"error\"}";
  const int64_t before = MetricValue(Call("GET", "/metrics").body, series);
  ASSERT_GE(before, 0);
  EXPECT_EQ(Ops("GET", "/ops/ext/shop/broken").status, 500);
  EXPECT_EQ(MetricValue(Call("GET", "/metrics").body, series), before + 1);
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
  const std::string id = "01900000-0000-7000-8000-000000000001";
  // One route of each permission class and kind (reads, lookups, edits, erasure, tokens,
  // extension actions): each answers 403 forbidden whatever the credential.
  const std::vector<std::pair<std::string, std::string>> routes = {
      {"GET", "/ops/stats"},
      {"GET", "/ops/players"},
      {"GET", "/ops/players/" + id},
      {"GET", "/ops/players/" + id + "/export"},
      {"POST", "/ops/players/" + id + "/erase"},
      {"POST", "/ops/players/guests/purge"},
      {"GET", "/ops/audit"},
      {"GET", "/ops/worlds"},
      {"POST", "/ops/tokens"},
      {"POST", "/ops/notifications"},
      {"PUT", "/ops/economy/items/sword"},
      {"DELETE", "/ops/chat/messages/" + id},
      {"POST", "/ops/ext/shop/grant"},
  };
  for (const auto& [method, path] : routes) {
    for (const std::string& bearer :
         {std::string(""), std::string("anything"), std::string("v1.")}) {
      HttpResponse r = Call(method, path, "{}", bearer);
      EXPECT_EQ(r.status, 403) << method << " " << path << " " << r.body;
      EXPECT_EQ(Json(r).Str({"error", "code"}), "forbidden") << method << " " << path;
    }
  }
  HttpResponse c = Call("POST", "/console/session", R"({"secret":""})");
  EXPECT_EQ(c.status, 404);
  EXPECT_EQ(Json(c).Str({"error", "code"}), "console.not_found");
}

}  // namespace
}  // namespace asobi::itest

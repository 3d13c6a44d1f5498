// Accounts against the real server and a real PostgreSQL (rest.md §2, §3.1, §3.2; issue:
// "Bad input and faults"). Each suite gets a fresh database.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "game/auth/password.h"
#include "http_call.h"
#include "http_client.h"
#include "itest_checks.h"
#include "json_doc.h"
#include "pg_test_db.h"
#include "server_harness.h"
#include "ws_client.h"

namespace asobi::itest {
namespace {

class AuthTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    db_ = new TestDatabase();
    ASSERT_TRUE(db_->ok()) << db_->error();
    server_ = new ServerProcess();
    ServerOptions opts;
    opts.flags = db_->ServerFlags();
    // Generous limits: the suite makes many auth calls from one IP.
    opts.flags.insert(opts.flags.end(),
                      {"--rate-limits", "register=1000/1000,auth=1000/1000,erase=1000/1000"});
    ASSERT_TRUE(server_->Start(opts));
    // Wait for migrations and connections.
    for (int i = 0; i < 200; ++i) {
      if (Call("GET", "/ready").status == 200) break;
      usleep(50 * 1000);
    }
    ASSERT_EQ(Call("GET", "/ready").status, 200) << server_->log();
  }
  static void TearDownTestSuite() {
    if (server_) {
      EXPECT_TRUE(server_->Stop());
    }
    delete server_;
    delete db_;
    server_ = nullptr;
    db_ = nullptr;
  }

  static HttpResponse Call(const std::string& method, const std::string& path,
                           const std::string& body = "", const std::string& bearer = "") {
    return HttpCall(server_->port(), method, path, body, bearer);
  }
  static JsonDoc Json(const HttpResponse& r) {
    JsonDoc d;
    EXPECT_TRUE(d.Parse(r.body)) << r.body;
    return d;
  }
  static JsonDoc Register(const std::string& user, const std::string& pw = "password123") {
    HttpResponse r = Call("POST", "/api/v1/auth/register",
                          R"({"username":")" + user + R"(","password":")" + pw + R"("})");
    EXPECT_EQ(r.status, 200) << r.body;
    return Json(r);
  }
  static std::string Count(const std::string& sql) { return db_->Query(sql).value_or("?"); }

  static TestDatabase* db_;
  static ServerProcess* server_;
};
TestDatabase* AuthTest::db_ = nullptr;
ServerProcess* AuthTest::server_ = nullptr;

TEST_F(AuthTest, RegisterReturnsTokensAndCreatesPlayerAndStats) {
  JsonDoc d = Register("reg_user");
  std::string id = d.Str({"player_id"}).value_or("");
  EXPECT_EQ(id.size(), 36u);
  EXPECT_EQ(d.Str({"username"}).value_or(""), "reg_user");
  EXPECT_EQ(d.Str({"access_token"}).value_or("").size(), 44u);
  EXPECT_EQ(d.Str({"refresh_token"}).value_or("").size(), 44u);
  EXPECT_EQ(Count("SELECT count(*) FROM player_stats WHERE player_id = '" + id + "'"), "1");
  EXPECT_EQ(Count("SELECT hashed_password LIKE '$argon2id$%' FROM players WHERE id = '" + id + "'"),
            "t");
}

TEST_F(AuthTest, DuplicateUsernameIs409AndWritesNothing) {
  Register("dup_user");
  std::string before = Count("SELECT count(*) FROM player_tokens");
  HttpResponse r =
      Call("POST", "/api/v1/auth/register", R"({"username":"dup_user","password":"password123"})");
  EXPECT_TRUE(IsErrorEnvelope(r, 409, "auth.username_taken"));
  EXPECT_EQ(Count("SELECT count(*) FROM players WHERE username = 'dup_user'"), "1");
  EXPECT_EQ(Count("SELECT count(*) FROM player_tokens"), before);
}

TEST_F(AuthTest, InvalidUsernamesAndPasswordsAre422WithFields) {
  const char* bodies[] = {
      R"({"username":"ab","password":"password123"})",
      R"({"username":"this_name_is_far_too_long_for_the_rule","password":"password123"})",
      R"({"username":"bad name!","password":"password123"})",
      R"({"username":"good_name","password":"short"})",
  };
  for (const char* b : bodies) {
    HttpResponse r = Call("POST", "/api/v1/auth/register", b);
    EXPECT_TRUE(IsErrorEnvelope(r, 422, "validation_failed")) << b;
    JsonDoc d = Json(r);
    EXPECT_TRUE(d.IsObjectAt({"fields"})) << r.body;
    EXPECT_TRUE(d.IsObjectAt({"error", "details", "fields"})) << r.body;
  }
  std::string long_pw(129, 'p');
  HttpResponse r = Call("POST", "/api/v1/auth/register",
                        R"({"username":"pw_too_long","password":")" + long_pw + R"("})");
  EXPECT_TRUE(IsErrorEnvelope(r, 422, "validation_failed"));
  EXPECT_EQ(Count("SELECT count(*) FROM players WHERE username IN ('good_name','pw_too_long')"),
            "0");
}

TEST_F(AuthTest, MissingAndMalformedBodies) {
  EXPECT_TRUE(
      IsErrorEnvelope(Call("POST", "/api/v1/auth/register", "{not json"), 400, "invalid_json"));
  EXPECT_TRUE(
      IsErrorEnvelope(Call("POST", "/api/v1/auth/register", "[1,2]"), 400, "invalid_payload"));
  EXPECT_TRUE(IsErrorEnvelope(Call("POST", "/api/v1/auth/register", ""), 400, "missing_field"));
  EXPECT_TRUE(IsErrorEnvelope(Call("POST", "/api/v1/auth/register", R"({"username":"x1x"})"), 400,
                              "missing_field"));
  EXPECT_TRUE(IsErrorEnvelope(
      Call("POST", "/api/v1/auth/login", R"({"username":5,"password":"password123"})"), 400,
      "missing_field"));
  EXPECT_TRUE(IsErrorEnvelope(Call("POST", "/api/v1/auth/refresh", "{}"), 400, "missing_field"));
}

TEST_F(AuthTest, LoginWrongPasswordAndUnknownUserAre401) {
  Register("login_user");
  EXPECT_TRUE(IsErrorEnvelope(
      Call("POST", "/api/v1/auth/login", R"({"username":"login_user","password":"wrongpass1"})"),
      401, "auth.invalid_credentials"));
  EXPECT_TRUE(IsErrorEnvelope(
      Call("POST", "/api/v1/auth/login", R"({"username":"nobody_here","password":"password123"})"),
      401, "auth.invalid_credentials"));
  HttpResponse ok =
      Call("POST", "/api/v1/auth/login", R"({"username":"login_user","password":"password123"})");
  EXPECT_EQ(ok.status, 200);
  EXPECT_TRUE(HasSecurityHeaders(ok));
}

TEST_F(AuthTest, UpstreamPbkdf2HashStillLogsInAndIsRehashed) {
  std::string hash = HashPasswordPbkdf2("legacy-pass-1", 1000);
  std::string id = "01900000-0000-7000-8000-0000000000aa";
  ASSERT_TRUE(
      db_->Query("INSERT INTO players (id, username, display_name, hashed_password, "
                 "metadata, inserted_at, updated_at) VALUES ('" +
                 id + "', 'legacy_user', 'legacy_user', '" + hash + "', '{}', now(), now())"))
      << db_->error();
  HttpResponse r = Call("POST", "/api/v1/auth/login",
                        R"({"username":"legacy_user","password":"legacy-pass-1"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Json(r).Str({"player_id"}).value_or(""), id);
  // The re-hash is written asynchronously after the reply.
  std::string now_hash;
  for (int i = 0; i < 100; ++i) {
    now_hash = Count("SELECT hashed_password FROM players WHERE id = '" + id + "'");
    if (now_hash.rfind("$argon2id$", 0) == 0) break;
    usleep(20 * 1000);
  }
  EXPECT_EQ(now_hash.rfind("$argon2id$", 0), 0u) << now_hash;
  EXPECT_EQ(
      Call("POST", "/api/v1/auth/login", R"({"username":"legacy_user","password":"legacy-pass-1"})")
          .status,
      200);
  EXPECT_EQ(
      Call("POST", "/api/v1/auth/login", R"({"username":"legacy_user","password":"legacy-pass-2"})")
          .status,
      401);
}

TEST_F(AuthTest, RefreshRotatesAndReuseBurnsTheFamily) {
  JsonDoc d = Register("refresh_user");
  std::string rt = d.Str({"refresh_token"}).value_or("");
  HttpResponse r1 = Call("POST", "/api/v1/auth/refresh", R"({"refresh_token":")" + rt + R"("})");
  ASSERT_EQ(r1.status, 200) << r1.body;
  JsonDoc d1 = Json(r1);
  std::string rt2 = d1.Str({"refresh_token"}).value_or("");
  EXPECT_NE(rt2, rt);
  EXPECT_FALSE(d1.Has({"player_id"}));
  // Reusing the spent token is detected: 401 and the newer token of the family dies too.
  EXPECT_TRUE(
      IsErrorEnvelope(Call("POST", "/api/v1/auth/refresh", R"({"refresh_token":")" + rt + R"("})"),
                      401, "unauthenticated"));
  EXPECT_TRUE(
      IsErrorEnvelope(Call("POST", "/api/v1/auth/refresh", R"({"refresh_token":")" + rt2 + R"("})"),
                      401, "unauthenticated"));
}

TEST_F(AuthTest, ForgedExpiredAndRevokedAccessTokensAre401) {
  JsonDoc d = Register("token_user");
  std::string id = d.Str({"player_id"}).value_or("");
  std::string at = d.Str({"access_token"}).value_or("");
  EXPECT_EQ(Call("GET", "/api/v1/players/" + id, "", at).status, 200);
  // Forged: well-formed but unknown; garbage; wrong scheme.
  EXPECT_TRUE(IsErrorEnvelope(
      Call("GET", "/api/v1/players/" + id, "", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="), 401,
      "unauthenticated"));
  EXPECT_TRUE(
      IsErrorEnvelope(Call("GET", "/api/v1/players/" + id, "", "%%%"), 401, "unauthenticated"));
  EXPECT_TRUE(IsErrorEnvelope(Call("GET", "/api/v1/players/" + id), 401, "unauthenticated"));
  // Expired: a fresh token (never cached) whose row is older than 60 minutes.
  HttpResponse l =
      Call("POST", "/api/v1/auth/login", R"({"username":"token_user","password":"password123"})");
  std::string at2 = Json(l).Str({"access_token"}).value_or("");
  ASSERT_TRUE(
      db_->Query("UPDATE player_tokens SET inserted_at = now() - interval '61 minutes' "
                 "WHERE context = 'access' AND user_id = '" +
                 id + "' AND inserted_at > now() - interval '1 minute' AND token <> ''"));
  EXPECT_TRUE(
      IsErrorEnvelope(Call("GET", "/api/v1/players/" + id, "", at2), 401, "unauthenticated"));
  // Revoked: logout with the bearer; the token stops working on every shard at once.
  HttpResponse l3 =
      Call("POST", "/api/v1/auth/login", R"({"username":"token_user","password":"password123"})");
  std::string at3 = Json(l3).Str({"access_token"}).value_or("");
  for (int i = 0; i < 4; ++i) EXPECT_EQ(Call("GET", "/api/v1/players/" + id, "", at3).status, 200);
  EXPECT_EQ(Call("POST", "/api/v1/auth/logout", "{}", at3).status, 200);
  for (int i = 0; i < 4; ++i) {
    EXPECT_TRUE(
        IsErrorEnvelope(Call("GET", "/api/v1/players/" + id, "", at3), 401, "unauthenticated"));
  }
}

TEST_F(AuthTest, PlayersGetAndUpdateWithValidation) {
  JsonDoc me = Register("players_user");
  JsonDoc other = Register("players_other");
  std::string id = me.Str({"player_id"}).value_or("");
  std::string at = me.Str({"access_token"}).value_or("");
  HttpResponse g = Call("GET", "/api/v1/players/" + other.Str({"player_id"}).value_or(""), "", at);
  ASSERT_EQ(g.status, 200);
  JsonDoc gd = Json(g);
  EXPECT_EQ(gd.Str({"username"}).value_or(""), "players_other");
  EXPECT_FALSE(gd.Has({"hashed_password"}));
  EXPECT_TRUE(gd.Has({"inserted_at"}));
  // SQL metacharacters are stored verbatim.
  std::string evil = R"('; DROP TABLE players; -- \" \\)";
  HttpResponse u =
      Call("PUT", "/api/v1/players/" + id,
           R"({"display_name":"'; DROP TABLE players; -- \" \\","metadata":{"k":"v"}})", at);
  ASSERT_EQ(u.status, 200) << u.body;
  JsonDoc ud = Json(u);
  EXPECT_EQ(ud.Str({"display_name"}).value_or(""), "'; DROP TABLE players; -- \" \\");
  EXPECT_EQ(ud.Str({"metadata", "k"}).value_or(""), "v");
  EXPECT_EQ(Count("SELECT count(*) FROM players WHERE username = 'players_user'"), "1");
  // Someone else's profile: 403. Unknown or non-UUID id: 404.
  EXPECT_TRUE(
      IsErrorEnvelope(Call("PUT", "/api/v1/players/" + other.Str({"player_id"}).value_or(""),
                           R"({"display_name":"x"})", at),
                      403, "forbidden"));
  EXPECT_TRUE(
      IsErrorEnvelope(Call("GET", "/api/v1/players/not-a-uuid", "", at), 404, "player.not_found"));
  EXPECT_TRUE(
      IsErrorEnvelope(Call("GET", "/api/v1/players/01900000-0000-7000-8000-00000000ffff", "", at),
                      404, "player.not_found"));
  // Oversized fields: 422 with `errors`, nothing changed.
  HttpResponse big = Call("PUT", "/api/v1/players/" + id,
                          R"({"display_name":")" + std::string(65, 'd') + R"("})", at);
  EXPECT_TRUE(IsErrorEnvelope(big, 422, "validation_failed"));
  EXPECT_TRUE(Json(big).IsObjectAt({"errors"}));
  HttpResponse meta = Call("PUT", "/api/v1/players/" + id,
                           R"({"metadata":{"blob":")" + std::string(17000, 'm') + R"("}})", at);
  EXPECT_TRUE(IsErrorEnvelope(meta, 422, "validation_failed"));
  EXPECT_TRUE(IsErrorEnvelope(Call("PUT", "/api/v1/players/" + id, R"({"metadata":[1]})", at), 422,
                              "validation_failed"));
  EXPECT_EQ(Count("SELECT display_name FROM players WHERE id = '" + id + "'"),
            "'; DROP TABLE players; -- \" \\");
  (void)evil;
}

TEST_F(AuthTest, SessionConnectAcceptsRealTokensOverWebSocket) {
  JsonDoc d = Register("ws_user");
  WsClient ws;
  ASSERT_TRUE(ws.Upgrade(server_->port()).has_value());
  ASSERT_TRUE(ws.SendText(R"({"type":"session.connect","cid":"1","payload":{"token":")" +
                          d.Str({"access_token"}).value_or("") + R"("}})"));
  WsFrame f;
  ASSERT_EQ(ws.Recv(&f), WsRecv::kFrame);
  JsonDoc reply;
  ASSERT_TRUE(reply.Parse(f.payload));
  EXPECT_EQ(reply.Str({"type"}).value_or(""), "session.connected") << f.payload;
  EXPECT_EQ(reply.Str({"payload", "player_id"}).value_or(""), d.Str({"player_id"}).value_or(""));
  ASSERT_TRUE(ws.SendText(R"({"type":"session.connect","cid":"2","payload":{"token":"bogus"}})"));
  ASSERT_EQ(ws.Recv(&f), WsRecv::kFrame);
  ASSERT_TRUE(reply.Parse(f.payload));
  EXPECT_TRUE(IsWsError(reply, "invalid_token", "unauthenticated", std::string("\"2\"")));
}

TEST_F(AuthTest, EraseDeletesEverythingAndRevokesOpenSockets) {
  JsonDoc d = Register("erase_user");
  std::string id = d.Str({"player_id"}).value_or("");
  std::string at = d.Str({"access_token"}).value_or("");
  WsClient ws;
  ASSERT_TRUE(ws.Upgrade(server_->port()).has_value());
  ASSERT_TRUE(
      ws.SendText(R"({"type":"session.connect","cid":"1","payload":{"token":")" + at + R"("}})"));
  WsFrame f;
  ASSERT_EQ(ws.Recv(&f), WsRecv::kFrame);

  EXPECT_TRUE(
      IsErrorEnvelope(Call("POST", "/api/v1/players/me/erase", "{}", at), 400, "missing_field"));
  EXPECT_TRUE(
      IsErrorEnvelope(Call("POST", "/api/v1/players/me/erase", R"({"password":"not-it-123"})", at),
                      403, "player.confirmation_failed"));
  EXPECT_EQ(Count("SELECT count(*) FROM players WHERE id = '" + id + "'"), "1");

  HttpResponse ok = Call("POST", "/api/v1/players/me/erase", R"({"password":"password123"})", at);
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(Json(ok).Raw({"deleted"}).value_or(""), "true");
  EXPECT_EQ(Count("SELECT count(*) FROM players WHERE id = '" + id + "'"), "0");
  EXPECT_EQ(Count("SELECT count(*) FROM player_tokens WHERE user_id = '" + id + "'"), "0");
  EXPECT_EQ(Count("SELECT count(*) FROM player_stats WHERE player_id = '" + id + "'"), "0");
  EXPECT_EQ(Count("SELECT count(*) FROM ops_audit_entries WHERE target_id = '" + id +
                  "' AND action = 'players.erase'"),
            "1");
  EXPECT_TRUE(
      IsErrorEnvelope(Call("GET", "/api/v1/players/" + id, "", at), 401, "unauthenticated"));
  // The open socket is told and closed with 1008 (DECISIONS.md wire 5).
  ASSERT_EQ(ws.Recv(&f), WsRecv::kFrame);
  JsonDoc err;
  ASSERT_TRUE(err.Parse(f.payload));
  EXPECT_EQ(err.Str({"payload", "reason"}).value_or(""), "session_revoked");
  ASSERT_EQ(ws.Recv(&f), WsRecv::kFrame);
  EXPECT_EQ(f.CloseCode(), 1008);
}

// A WebSocket authenticated with `access_token` (session.connected received).
std::unique_ptr<WsClient> ConnectedSocket(uint16_t port, const std::string& access_token) {
  auto ws = std::make_unique<WsClient>();
  EXPECT_TRUE(ws->Open(port));
  EXPECT_TRUE(ws->SendText(R"({"type":"session.connect","cid":"c","payload":{"token":")" +
                           access_token + R"("}})"));
  JsonDoc reply;
  EXPECT_TRUE(ws->RecvJson(&reply));
  EXPECT_EQ(reply.Str({"type"}).value_or(""), "session.connected");
  return ws;
}

// The socket gets `session_revoked` and close 1008 (DECISIONS.md wire 5).
::testing::AssertionResult Revoked(WsClient& ws) {
  JsonDoc err;
  ::testing::AssertionResult got = ws.RecvJson(&err);
  if (!got) return got;
  if (err.Str({"payload", "reason"}).value_or("") != "session_revoked") {
    return ::testing::AssertionFailure() << "expected session_revoked";
  }
  return ws.ExpectClose(1008, "session_revoked");
}

// The socket still answers a heartbeat.
::testing::AssertionResult Alive(WsClient& ws) {
  JsonDoc reply;
  ::testing::AssertionResult got =
      ws.Request(R"({"type":"session.heartbeat","cid":"h","payload":{}})", &reply);
  if (!got) return got;
  return IsHeartbeatReply(reply, std::string("\"h\""));
}

TEST_F(AuthTest, RefreshReuseBurnsTheFamilysAccessTokensAndRevokesTheirSockets) {
  JsonDoc d = Register("reuse_user");
  std::string id = d.Str({"player_id"}).value_or("");
  std::string at1 = d.Str({"access_token"}).value_or("");
  std::string rt1 = d.Str({"refresh_token"}).value_or("");
  // Another device of the same player: its own family, untouched by the burn.
  HttpResponse other =
      Call("POST", "/api/v1/auth/login", R"({"username":"reuse_user","password":"password123"})");
  std::string at_other = Json(other).Str({"access_token"}).value_or("");
  HttpResponse r = Call("POST", "/api/v1/auth/refresh", R"({"refresh_token":")" + rt1 + R"("})");
  ASSERT_EQ(r.status, 200) << r.body;
  std::string at2 = Json(r).Str({"access_token"}).value_or("");
  // Several sockets, so that both shards hold some; and both shards' caches warmed.
  std::vector<std::unique_ptr<WsClient>> family;
  for (int i = 0; i < 4; ++i) family.push_back(ConnectedSocket(server_->port(), at2));
  std::unique_ptr<WsClient> kept = ConnectedSocket(server_->port(), at_other);
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(Call("GET", "/api/v1/players/" + id, "", at1).status, 200);
    EXPECT_EQ(Call("GET", "/api/v1/players/" + id, "", at2).status, 200);
  }

  // The stolen token is presented again: the family burns, access tokens included.
  EXPECT_TRUE(
      IsErrorEnvelope(Call("POST", "/api/v1/auth/refresh", R"({"refresh_token":")" + rt1 + R"("})"),
                      401, "unauthenticated"));
  for (auto& ws : family) EXPECT_TRUE(Revoked(*ws));
  for (int i = 0; i < 4; ++i) {
    EXPECT_TRUE(
        IsErrorEnvelope(Call("GET", "/api/v1/players/" + id, "", at1), 401, "unauthenticated"));
    EXPECT_TRUE(
        IsErrorEnvelope(Call("GET", "/api/v1/players/" + id, "", at2), 401, "unauthenticated"));
    EXPECT_EQ(Call("GET", "/api/v1/players/" + id, "", at_other).status, 200);
  }
  EXPECT_TRUE(Alive(*kept));
}

TEST_F(AuthTest, LogoutByRefreshTokenBurnsItsFamilysAccessTokensAndSockets) {
  JsonDoc d = Register("logout_family_user");
  std::string id = d.Str({"player_id"}).value_or("");
  std::string at = d.Str({"access_token"}).value_or("");
  std::string rt = d.Str({"refresh_token"}).value_or("");
  std::unique_ptr<WsClient> ws = ConnectedSocket(server_->port(), at);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(Call("GET", "/api/v1/players/" + id, "", at).status, 200);
  // No bearer: only the refresh token names the session.
  EXPECT_EQ(Call("POST", "/api/v1/auth/logout", R"({"refresh_token":")" + rt + R"("})").status,
            200);
  EXPECT_TRUE(Revoked(*ws));
  for (int i = 0; i < 4; ++i) {
    EXPECT_TRUE(
        IsErrorEnvelope(Call("GET", "/api/v1/players/" + id, "", at), 401, "unauthenticated"));
  }
  EXPECT_EQ(Count("SELECT count(*) FROM player_tokens WHERE user_id = '" + id + "'"), "0");
}

TEST_F(AuthTest, LogoutByBearerRevokesOnlyTheSocketsOfThatToken) {
  JsonDoc d = Register("logout_bearer_user");
  std::string at_a = d.Str({"access_token"}).value_or("");
  HttpResponse l = Call("POST", "/api/v1/auth/login",
                        R"({"username":"logout_bearer_user","password":"password123"})");
  std::string at_b = Json(l).Str({"access_token"}).value_or("");
  std::vector<std::unique_ptr<WsClient>> a;
  for (int i = 0; i < 3; ++i) a.push_back(ConnectedSocket(server_->port(), at_a));
  std::unique_ptr<WsClient> b = ConnectedSocket(server_->port(), at_b);
  EXPECT_EQ(Call("POST", "/api/v1/auth/logout", "{}", at_a).status, 200);
  for (auto& ws : a) EXPECT_TRUE(Revoked(*ws));
  EXPECT_TRUE(Alive(*b));
}

TEST_F(AuthTest, ExpiredTokenRowsAreSweptAndLiveOnesKept) {
  JsonDoc d = Register("sweep_user");
  std::string id = d.Str({"player_id"}).value_or("");
  auto insert = [&](int n, const std::string& context, const std::string& age) {
    return db_->Query(
        "INSERT INTO player_tokens (id, user_id, token, context, family_id, inserted_at) "
        "SELECT gen_random_uuid(), '" +
        id + "', 'sweep-" + context + "-' || g || '" + age + "', '" + context +
        "', 'sweep-family', now() - interval '" + age + "' FROM generate_series(1, " +
        std::to_string(n) + ") g");
  };
  ASSERT_TRUE(insert(2500, "access", "61 minutes"));  // expired: more than one batch
  ASSERT_TRUE(insert(3, "refresh", "31 days"));       // expired
  ASSERT_TRUE(insert(2, "refresh", "2 days"));        // used or not, kept for reuse detection
  ASSERT_TRUE(insert(4, "access", "10 minutes"));     // live
  // A second server on the same database sweeps every 100 ms.
  ServerProcess sweeper;
  ServerOptions opts;
  opts.flags = db_->ServerFlags();
  opts.flags.insert(opts.flags.end(), {"--token-sweep-ms", "100"});
  ASSERT_TRUE(sweeper.Start(opts));
  // One run (up to 10 batches of 1,000); other tests' expired rows may be swept too.
  ASSERT_TRUE(sweeper.WaitForLog("msg=\"expired tokens swept\"", 30000)) << sweeper.log();
  EXPECT_TRUE(sweeper.Stop());
  auto count = [&](const std::string& where) {
    return Count("SELECT count(*) FROM player_tokens WHERE user_id = '" + id + "' AND " + where);
  };
  EXPECT_EQ(count("token LIKE 'sweep-%'"), "6");
  EXPECT_EQ(count("token LIKE 'sweep-refresh-%2 days'"), "2");
  EXPECT_EQ(count("token LIKE 'sweep-access-%10 minutes'"), "4");
  EXPECT_EQ(count("token NOT LIKE 'sweep-%'"), "2");  // the pair register issued
}

TEST_F(AuthTest, AuthRoutesAreRateLimitedPerIp) {
  // A second server with the spec's default auth limit (5 / 1 s).
  ServerProcess limited;
  ServerOptions opts;
  opts.flags = db_->ServerFlags();
  ASSERT_TRUE(limited.Start(opts));
  int limited_count = 0;
  std::optional<std::string> retry;
  for (int i = 0; i < 8; ++i) {
    HttpClient c;
    ASSERT_TRUE(c.Connect(limited.port()));
    ASSERT_TRUE(
        c.SendRaw("POST /api/v1/auth/login HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n"
                  "Content-Type: application/json\r\n\r\n{}"));
    auto r = c.ReadResponse();
    ASSERT_TRUE(r.has_value());
    if (r->status == 429) {
      ++limited_count;
      EXPECT_TRUE(IsErrorEnvelope(*r, 429, "rate_limited"));
      retry = r->Header("retry-after");
    }
  }
  EXPECT_GE(limited_count, 3);
  EXPECT_TRUE(retry.has_value());
  EXPECT_TRUE(limited.Stop());
}

}  // namespace
}  // namespace asobi::itest

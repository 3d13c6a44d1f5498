// OAuth/OIDC sign-in and account linking against the real server and PostgreSQL (rest.md
// §2.8, §3.1; issue 15 item 4 and its bad input). Local fake issuers in the test process
// serve JWKS documents of keys made in the test (RS256 for google, ES256 for apple); the
// microsoft JWKS endpoint is down and the discord one answers only after the server's fetch
// deadline. One shard, so that a request answered while a JWKS fetch hangs proves the fetch
// does not block the shard.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <future>
#include <mutex>
#include <string>

#include "fake_http_server.h"
#include "game/iap/base64.h"
#include "http_call.h"
#include "iap_test_pki.h"
#include "itest_checks.h"
#include "itest_suite.h"
#include "json_doc.h"
#include "oidc_test_keys.h"
#include "pg_test_db.h"
#include "server_harness.h"
#include "server_suite.h"

namespace asobi::itest {
namespace {

using iap::testing::Key;
using iap::testing::NewEcKey;
using iap::testing::NewRsaKey;
using iap::testing::PublicPem;
using iap::testing::SignHs256;
using namespace oauth::testing;

constexpr char kGoogleIss[] = "https://accounts.google.test";
constexpr char kAppleIss[] = "https://appleid.apple.test";
constexpr char kClient[] = "game-client-id";

// What the fake issuers serve; guarded by mu.
struct Issuers {
  std::mutex mu;
  std::condition_variable cv;
  std::string google_jwks, apple_jwks;
  bool slow_released = false;
  std::atomic<int> google_fetches{0};
  std::atomic<int> slow_fetches{0};
};

FakeResponse Serve(const FakeRequest& req, Issuers* s) {
  if (req.target == "/google/jwks") {
    ++s->google_fetches;
    std::lock_guard<std::mutex> lock(s->mu);
    return {200, s->google_jwks};
  }
  if (req.target == "/apple/jwks") {
    std::lock_guard<std::mutex> lock(s->mu);
    return {200, s->apple_jwks};
  }
  const std::string steam = "/ISteamUserAuth/AuthenticateUserTicket/v1/?key=steam-key&appid=480";
  if (req.target.rfind(steam + "&ticket=", 0) == 0) {
    std::string ticket = req.target.substr(steam.size() + 8);
    if (ticket == "beef") return {403, "<html>Forbidden</html>"};
    if (ticket.rfind("1400", 0) != 0) {
      return {200, R"({"response":{"error":{"errorcode":101,"errordesc":"Invalid ticket"}}})"};
    }
    return {200, R"({"response":{"params":{"result":"OK","steamid":"7656119)" + ticket.substr(4) +
                     R"(","ownersteamid":"76561197960287930","vacbanned":false,)"
                     R"("publisherbanned":false}}})"};
  }
  if (req.target == "/slow/jwks") {
    ++s->slow_fetches;
    std::unique_lock<std::mutex> lock(s->mu);
    s->cv.wait_for(lock, std::chrono::seconds(20), [s] { return s->slow_released; });
    return {200, s->google_jwks};
  }
  return {404, "{}"};
}

std::string ProvidersJson(const std::string& base) {
  auto p = [](const std::string& iss, const std::string& jwks, const std::string& extra) {
    return R"({"issuer":")" + iss + R"(","client_id":")" + kClient + R"(","jwks_uri":")" + jwks +
           "\"" + extra + "}";
  };
  return "{\"google\":" + p(kGoogleIss, base + "/google/jwks", R"(,"refresh_min_ms":0)") +
         ",\"apple\":" + p(kAppleIss, base + "/apple/jwks", "") +
         // Nothing listens on port 1: connection refused.
         ",\"microsoft\":" +
         p("https://login.microsoft.test", "http://127.0.0.1:1/jwks", R"(,"timeout_ms":1000)") +
         ",\"discord\":" + p("https://discord.test", base + "/slow/jwks", R"(,"timeout_ms":1000)") +
         "}";
}

class OauthTest : public ServerSuite<OauthTest> {
 protected:
  static void SetUpTestSuite() {
    db_ = new TestDatabase();
    ASSERT_TRUE(db_->ok()) << db_->error();
    rsa_ = NewRsaKey().release();
    rsa2_ = NewRsaKey().release();
    ec_ = NewEcKey().release();
    issuers_ = new Issuers();
    issuers_->google_jwks = Jwks({JwkJson(rsa_, "g1")});
    issuers_->apple_jwks = Jwks({JwkJson(ec_, "a1", "ES256")});
    fake_ = new FakeHttpServer([](const FakeRequest& r) { return Serve(r, issuers_); });
    server_ = new ServerProcess();
    ServerOptions o;
    o.flags = db_->ServerFlags();
    o.flags.insert(o.flags.end(),
                   {"--shards", "1", "--rate-limits", "register=1000/1000,auth=1000/1000",
                    "--oidc-providers", ProvidersJson(fake_->base_url()), "--steam-api-key",
                    "steam-key", "--steam-app-id", "480", "--steam-api-base", fake_->base_url()});
    ASSERT_TRUE(StartReady(server_, o));
  }
  static void TearDownTestSuite() {
    if (issuers_ != nullptr) {
      {
        std::lock_guard<std::mutex> lock(issuers_->mu);
        issuers_->slow_released = true;
      }
      issuers_->cv.notify_all();
    }
    ServerSuite::TearDownTestSuite();
    delete fake_;
    delete issuers_;
    EVP_PKEY_free(rsa_);
    EVP_PKEY_free(rsa2_);
    EVP_PKEY_free(ec_);
  }

  static std::string Google(const std::string& sub, const std::string& name = "") {
    return IdToken(rsa_, "g1",
                   Claims(kGoogleIss, kClient, sub, NowS(), 3600, sub + "@mail.test", name));
  }
  static std::string Apple(const std::string& sub) {
    return IdToken(ec_, "a1", Claims(kAppleIss, kClient, sub, NowS()));
  }
  static std::string Body(const std::string& provider, const std::string& token) {
    return R"({"provider":")" + provider + R"(","token":")" + token + R"("})";
  }
  static HttpResponse SignIn(const std::string& provider, const std::string& token) {
    return Call("POST", "/api/v1/auth/oauth", Body(provider, token));
  }
  static HttpResponse Link(const std::string& bearer, const std::string& provider,
                           const std::string& token) {
    return Call("POST", "/api/v1/auth/link", Body(provider, token), bearer);
  }
  static HttpResponse Unlink(const std::string& bearer, const std::string& provider) {
    return Call("DELETE", "/api/v1/auth/unlink?provider=" + provider, "", bearer);
  }
  // The refusal's details.reason ("" when the answer is not 401 auth.provider_rejected).
  static std::string Rejected(const HttpResponse& r) {
    if (!IsErrorEnvelope(r, 401, "auth.provider_rejected")) return "not rejected: " + r.body;
    return Json(r).Str({"error", "details", "reason"}).value_or("");
  }

  static inline EVP_PKEY* rsa_ = nullptr;
  static inline EVP_PKEY* rsa2_ = nullptr;
  static inline EVP_PKEY* ec_ = nullptr;
  static inline Issuers* issuers_ = nullptr;
  static inline FakeHttpServer* fake_ = nullptr;
};

TEST_F(OauthTest, FirstSignInCreatesThenResumes) {
  HttpResponse first = SignIn("google", Google("g-user-1", "Gina"));
  ASSERT_EQ(first.status, 200) << first.body;
  JsonDoc a = Json(first);
  std::string player = a.Str({"player_id"}).value_or("");
  EXPECT_EQ(player.size(), 36u);
  EXPECT_EQ(a.Raw({"created"}).value_or(""), "true");
  std::string username = a.Str({"username"}).value_or("");
  EXPECT_EQ(username.rfind("google_g-user-1_", 0), 0u) << username;
  EXPECT_EQ(username.size(), std::string("google_g-user-1_").size() + 8);
  std::string access = a.Str({"access_token"}).value_or("");
  EXPECT_EQ(access.size(), 44u);
  EXPECT_EQ(a.Str({"refresh_token"}).value_or("").size(), 44u);
  // The tokens work; the display name comes from the token's name claim.
  HttpResponse me = Call("GET", "/api/v1/players/" + player, "", access);
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(Json(me).Str({"display_name"}).value_or(""), "Gina");
  EXPECT_EQ(db_->Query("SELECT provider_email FROM player_identities WHERE provider = 'google' "
                       "AND provider_uid = 'g-user-1'")
                .value_or(""),
            "g-user-1@mail.test");

  HttpResponse again = SignIn("google", Google("g-user-1"));
  ASSERT_EQ(again.status, 200) << again.body;
  JsonDoc b = Json(again);
  EXPECT_EQ(b.Str({"player_id"}).value_or(""), player);
  EXPECT_EQ(b.Str({"username"}).value_or(""), username);
  EXPECT_FALSE(b.Has({"created"}));
  EXPECT_NE(b.Str({"access_token"}).value_or(""), access);
}

TEST_F(OauthTest, Es256ProviderSignsIn) {
  HttpResponse r = SignIn("apple", Apple("001234.abcdef"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Json(r).Str({"username"}).value_or("").rfind("apple_001234_a_", 0), 0u);
}

TEST_F(OauthTest, MetricsCountVerificationsAndFetches) {
  ASSERT_EQ(SignIn("google", Google("metrics-1")).status, 200);
  EXPECT_EQ(Rejected(SignIn(
                "google", IdToken(rsa_, "g1", Claims("https://evil.test", kClient, "m", NowS())))),
            "wrong_issuer");
  HttpResponse m = Call("GET", "/metrics");
  ASSERT_EQ(m.status, 200);
  for (const char* line :
       {"asobi_oauth_verifications_total{provider=\"google\",result=\"accepted\"} ",
        "asobi_oauth_verifications_total{provider=\"google\",result=\"rejected\"} ",
        "asobi_oauth_key_fetches_total{provider=\"google\"} ", "asobi_oauth_busy_total 0"}) {
    size_t at = m.body.find(line);
    ASSERT_NE(at, std::string::npos) << line;
    // Every counter named here has counted at least once (busy excepted).
    if (std::string(line).back() == ' ') {
      EXPECT_NE(m.body[at + std::strlen(line)], '0') << line;
    }
  }
}

TEST_F(OauthTest, JwksIsCachedAndRefetchedOnUnknownKid) {
  ASSERT_EQ(SignIn("google", Google("cache-1")).status, 200);
  int fetches = issuers_->google_fetches.load();
  for (int i = 0; i < 5; ++i) ASSERT_EQ(SignIn("google", Google("cache-1")).status, 200);
  EXPECT_EQ(issuers_->google_fetches.load(), fetches);
  // Key rotation: the issuer publishes g2; a token signed with it triggers one refetch.
  {
    std::lock_guard<std::mutex> lock(issuers_->mu);
    issuers_->google_jwks = Jwks({JwkJson(rsa_, "g1"), JwkJson(rsa2_, "g2")});
  }
  HttpResponse r =
      SignIn("google", IdToken(rsa2_, "g2", Claims(kGoogleIss, kClient, "rotated", NowS())));
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(issuers_->google_fetches.load(), fetches + 1);
}

TEST_F(OauthTest, BadTokensAreRejectedWithTheirReason) {
  int64_t now = NowS();
  std::string claims = Claims(kGoogleIss, kClient, "bad-1", now);
  EXPECT_EQ(Rejected(SignIn(
                "google", IdToken(rsa_, "g1", Claims("https://evil.test", kClient, "bad-1", now)))),
            "wrong_issuer");
  EXPECT_EQ(Rejected(SignIn("google",
                            IdToken(rsa_, "g1", Claims(kGoogleIss, "other-client", "bad-1", now)))),
            "wrong_audience");
  EXPECT_EQ(Rejected(SignIn("google", IdToken(rsa_, "nope", claims))), "unknown_kid");
  EXPECT_EQ(
      Rejected(SignIn("google",
                      IdToken(rsa_, "g1", Claims(kGoogleIss, kClient, "bad-1", now - 7200, 3600)))),
      "expired");
  std::string none = iap::Base64UrlEncode(R"({"alg":"none","kid":"g1"})") + "." +
                     iap::Base64UrlEncode(claims) + ".";
  EXPECT_EQ(Rejected(SignIn("google", none)), "unsupported_alg");
  // HS256 keyed with the issuer's public RSA key (key confusion).
  EXPECT_EQ(Rejected(SignIn("google",
                            SignHs256(R"({"alg":"HS256","kid":"g1"})", claims, PublicPem(rsa_)))),
            "unsupported_alg");
  // Signed by a key the issuer never published, under a published kid.
  EXPECT_EQ(Rejected(SignIn("google", IdToken(rsa2_, "g1", claims))), "bad_signature");
  // Google's token to the apple provider: wrong key type for the kid / issuer.
  EXPECT_EQ(Rejected(SignIn("apple", IdToken(rsa_, "a1", claims))), "bad_signature");
  EXPECT_EQ(Rejected(SignIn("google", "not-a-jwt")), "malformed_token");
  EXPECT_EQ(Rejected(SignIn("google", std::string(20000, 'a'))), "malformed_token");
  EXPECT_EQ(db_->Query("SELECT count(*) FROM player_identities WHERE provider_uid = 'bad-1'")
                .value_or(""),
            "0");
}

TEST_F(OauthTest, UnknownProvidersAndMissingFields) {
  EXPECT_TRUE(IsErrorEnvelope(SignIn("myspace", Google("x")), 401, "auth.unsupported_provider"));
  EXPECT_TRUE(IsErrorEnvelope(Call("POST", "/api/v1/auth/oauth", R"({"provider":"google"})"), 400,
                              "missing_field"));
  EXPECT_TRUE(IsErrorEnvelope(Call("POST", "/api/v1/auth/oauth", R"({"token":"x"})"), 400,
                              "missing_field"));
  EXPECT_TRUE(
      IsErrorEnvelope(Call("POST", "/api/v1/auth/oauth", R"({"provider":"google","token":5})"), 400,
                      "missing_field"));
  EXPECT_TRUE(IsErrorEnvelope(Call("POST", "/api/v1/auth/oauth", "{nope"), 400, "invalid_json"));
}

TEST_F(OauthTest, JwksDownIsRejected) {
  std::string t = IdToken(rsa_, "m1", Claims("https://login.microsoft.test", kClient, "m", NowS()));
  EXPECT_EQ(Rejected(SignIn("microsoft", t)), "jwks_unavailable");
  EXPECT_EQ(Rejected(SignIn("microsoft", t)), "jwks_unavailable");
}

TEST_F(OauthTest, SlowJwksAnswersByItsDeadlineWithoutBlockingTheShard) {
  // Google's keys cached first: the fake issuers are one thread, held by the slow fetch below.
  ASSERT_EQ(SignIn("google", Google("warm-up")).status, 200);
  std::string t = IdToken(rsa_, "g1", Claims("https://discord.test", kClient, "d", NowS()));
  uint16_t port = server_->port();
  std::future<HttpResponse> pending = std::async(std::launch::async, [port, t] {
    return HttpCall(port, "POST", "/api/v1/auth/oauth", Body("discord", t));
  });
  // Wait until the server's fetch hangs in the fake issuer.
  for (int i = 0; i < 400 && issuers_->slow_fetches.load() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(issuers_->slow_fetches.load(), 1);
  // The only shard keeps serving: sign-in with a working provider and a health probe are
  // answered while the discord fetch still hangs (the fake holds it until released below).
  EXPECT_EQ(Call("GET", "/health").status, 200);
  EXPECT_EQ(SignIn("google", Google("during-slow")).status, 200);
  // The slow fetch gives up at its 1 s deadline: refused, not hung.
  HttpResponse r = pending.get();
  EXPECT_EQ(Rejected(r), "jwks_unavailable");
  {
    std::lock_guard<std::mutex> lock(issuers_->mu);
    issuers_->slow_released = true;
  }
  issuers_->cv.notify_all();
}

TEST_F(OauthTest, LinkAndUnlink) {
  auto [pid, bearer] = Register("linker1");
  auto [qid, qbearer] = Register("linker2");
  HttpResponse l = Link(bearer, "google", Google("link-1"));
  ASSERT_EQ(l.status, 200) << l.body;
  JsonDoc d = Json(l);
  EXPECT_EQ(d.Str({"provider"}).value_or(""), "google");
  EXPECT_EQ(d.Str({"provider_uid"}).value_or(""), "link-1");
  EXPECT_EQ(d.Raw({"linked"}).value_or(""), "true");
  // Idempotent for the same player.
  EXPECT_EQ(Link(bearer, "google", Google("link-1")).status, 200);
  // Signing in with the linked identity resumes the password player.
  HttpResponse s = SignIn("google", Google("link-1"));
  ASSERT_EQ(s.status, 200) << s.body;
  EXPECT_EQ(Json(s).Str({"player_id"}).value_or(""), pid);
  EXPECT_EQ(Json(s).Str({"username"}).value_or(""), "linker1");
  EXPECT_FALSE(Json(s).Has({"created"}));
  // Another player cannot take it; this player cannot link a second google identity.
  EXPECT_TRUE(IsErrorEnvelope(Link(qbearer, "google", Google("link-1")), 409,
                              "auth.provider_already_linked"));
  EXPECT_TRUE(IsErrorEnvelope(Link(bearer, "google", Google("link-2")), 409,
                              "auth.provider_already_linked"));
  // Bad tokens and providers on link.
  EXPECT_EQ(
      Rejected(Link(qbearer, "google", IdToken(rsa_, "g1", Claims(kGoogleIss, "x", "q", NowS())))),
      "wrong_audience");
  EXPECT_TRUE(IsErrorEnvelope(Link(qbearer, "myspace", "t"), 401, "auth.unsupported_provider"));
  EXPECT_TRUE(IsErrorEnvelope(Link("", "google", Google("q")), 401, "unauthenticated"));

  // Unlink: the password remains, so google can go.
  HttpResponse u = Unlink(bearer, "google");
  ASSERT_EQ(u.status, 200) << u.body;
  EXPECT_EQ(u.body, R"({"success":true})");
  EXPECT_TRUE(IsErrorEnvelope(Unlink(bearer, "google"), 404, "auth.identity_not_found"));
  EXPECT_TRUE(
      IsErrorEnvelope(Call("DELETE", "/api/v1/auth/unlink", "", bearer), 400, "missing_field"));
  EXPECT_TRUE(IsErrorEnvelope(Unlink("", "google"), 401, "unauthenticated"));
  // After the unlink the identity signs in as a new player.
  HttpResponse fresh = SignIn("google", Google("link-1"));
  ASSERT_EQ(fresh.status, 200);
  EXPECT_NE(Json(fresh).Str({"player_id"}).value_or(""), pid);
  // The SDK sends `provider` in the DELETE body (rest.md §6).
  ASSERT_EQ(Link(qbearer, "apple", Apple("link-q")).status, 200);
  EXPECT_EQ(Call("DELETE", "/api/v1/auth/unlink", R"({"provider":"apple"})", qbearer).status, 200);
}

TEST_F(OauthTest, CannotUnlinkTheLastWayToSignIn) {
  HttpResponse r = SignIn("google", Google("last-1"));
  ASSERT_EQ(r.status, 200) << r.body;
  std::string bearer = Json(r).Str({"access_token"}).value_or("");
  EXPECT_TRUE(IsErrorEnvelope(Unlink(bearer, "google"), 422, "auth.last_auth_method"));
  ASSERT_EQ(Link(bearer, "apple", Apple("last-1a")).status, 200);
  EXPECT_EQ(Unlink(bearer, "google").status, 200);
  EXPECT_TRUE(IsErrorEnvelope(Unlink(bearer, "apple"), 422, "auth.last_auth_method"));
  EXPECT_TRUE(IsErrorEnvelope(Unlink(bearer, "google"), 404, "auth.identity_not_found"));
}

TEST_F(OauthTest, ErasureRemovesTheIdentity) {
  HttpResponse r = SignIn("google", Google("erase-1"));
  ASSERT_EQ(r.status, 200) << r.body;
  std::string player = Json(r).Str({"player_id"}).value_or("");
  std::string bearer = Json(r).Str({"access_token"}).value_or("");
  HttpResponse e = Call("POST", "/api/v1/players/me/erase", "{}", bearer);
  ASSERT_EQ(e.status, 200) << e.body;
  // The identity went with the player: the same Google account now starts a new player.
  HttpResponse again = SignIn("google", Google("erase-1"));
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(Json(again).Raw({"created"}).value_or(""), "true");
  EXPECT_NE(Json(again).Str({"player_id"}).value_or(""), player);
}

TEST_F(OauthTest, SteamSessionTickets) {
  HttpResponse first = SignIn("steam", "14005512");
  ASSERT_EQ(first.status, 200) << first.body;
  JsonDoc a = Json(first);
  EXPECT_EQ(a.Raw({"created"}).value_or(""), "true");
  EXPECT_EQ(a.Str({"username"}).value_or("").rfind("steam_76561195_", 0), 0u);
  EXPECT_EQ(db_->Query("SELECT provider_uid FROM player_identities WHERE provider = 'steam' AND "
                       "player_id = '" +
                       a.Str({"player_id"}).value_or("") + "'")
                .value_or(""),
            "76561195512");
  HttpResponse same = SignIn("steam", "14005512");
  ASSERT_EQ(same.status, 200) << same.body;
  EXPECT_EQ(Json(same).Str({"player_id"}).value_or(""), a.Str({"player_id"}).value_or(""));
  EXPECT_FALSE(Json(same).Has({"created"}));
  EXPECT_EQ(Rejected(SignIn("steam", "dead")), "invalid_ticket");
  EXPECT_EQ(Rejected(SignIn("steam", "beef")), "steam_unavailable");
  EXPECT_EQ(Rejected(SignIn("steam", "xyz")), "malformed_ticket");
  EXPECT_EQ(Rejected(SignIn("steam", "abc")), "malformed_ticket");
  EXPECT_EQ(Rejected(SignIn("steam", std::string(5000, 'a'))), "malformed_ticket");
  // Linking a Steam account to a password player, then unlinking it.
  auto [pid, bearer] = Register("steamlinker");
  HttpResponse l = Link(bearer, "steam", "14007734");
  ASSERT_EQ(l.status, 200) << l.body;
  EXPECT_EQ(Json(l).Str({"provider_uid"}).value_or(""), "76561197734");
  EXPECT_EQ(Json(SignIn("steam", "14007734")).Str({"player_id"}).value_or(""), pid);
  EXPECT_EQ(Unlink(bearer, "steam").status, 200);
}

// Registration posture (rest.md §2.6) on OAuth: `oauth_only` creates, `closed` refuses a
// first sign-in but resumes a known identity.
TEST(OauthPostureTest, ClosedRefusesCreatesOauthOnlyAllows) {
  TestDatabase db;
  ASSERT_TRUE(db.ok()) << db.error();
  Key rsa = NewRsaKey();
  std::string jwks = Jwks({JwkJson(rsa.get(), "g1")});
  FakeHttpServer fake([&jwks](const FakeRequest&) { return FakeResponse{200, jwks}; });
  std::string providers = R"({"google":{"issuer":")" + std::string(kGoogleIss) +
                          R"(","client_id":")" + kClient + R"(","jwks_uri":")" + fake.base_url() +
                          R"(/jwks"}})";
  auto token = [&](const std::string& sub) {
    return IdToken(rsa.get(), "g1", Claims(kGoogleIss, kClient, sub, NowS()));
  };
  auto start = [&](ServerProcess* s, const char* posture) {
    ServerOptions o;
    o.flags = db.ServerFlags();
    o.flags.insert(o.flags.end(), {"--registration", posture, "--rate-limits", "auth=1000/1000",
                                   "--oidc-providers", providers});
    return StartReady(s, o);
  };
  {
    ServerProcess s;
    ASSERT_TRUE(start(&s, "oauth_only"));
    HttpResponse r = HttpCall(s.port(), "POST", "/api/v1/auth/oauth",
                              R"({"provider":"google","token":")" + token("p-1") + "\"}");
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_TRUE(IsErrorEnvelope(HttpCall(s.port(), "POST", "/api/v1/auth/register",
                                         R"({"username":"pw_user","password":"password123"})"),
                                403, "auth.password_registration_disabled"));
    EXPECT_TRUE(s.Stop());
  }
  ServerProcess s;
  ASSERT_TRUE(start(&s, "closed"));
  EXPECT_TRUE(IsErrorEnvelope(HttpCall(s.port(), "POST", "/api/v1/auth/oauth",
                                       R"({"provider":"google","token":")" + token("p-2") + "\"}"),
                              403, "auth.registration_closed"));
  // Known to the spec but not configured on this node.
  EXPECT_TRUE(IsErrorEnvelope(HttpCall(s.port(), "POST", "/api/v1/auth/oauth",
                                       R"({"provider":"steam","token":"14000000"})"),
                              401, "auth.unsupported_provider"));
  HttpResponse known = HttpCall(s.port(), "POST", "/api/v1/auth/oauth",
                                R"({"provider":"google","token":")" + token("p-1") + "\"}");
  EXPECT_EQ(known.status, 200) << known.body;
  EXPECT_TRUE(s.Stop());
}

}  // namespace
}  // namespace asobi::itest

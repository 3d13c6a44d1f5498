// Guest / device sign-in and upgrade (rest.md §2.7) against the real server and PostgreSQL.
#include <gtest/gtest.h>
#include <sodium.h>

#include <string>

#include "http_call.h"
#include "http_client.h"
#include "itest_checks.h"
#include "json_doc.h"
#include "pg_test_db.h"
#include "server_harness.h"
#include "ws_client.h"

namespace asobi::itest {
namespace {

std::string RandomSecret(size_t bytes) {
  std::string raw(bytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  std::string out(sodium_base64_ENCODED_LEN(bytes, sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(raw.data()),
                    raw.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);
  return out;
}

class GuestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(db_.ok()) << db_.error();
    ServerOptions opts;
    opts.flags = db_.ServerFlags();
    opts.flags.insert(opts.flags.end(), {"--guest-auth", "--guest-pepper", std::string(40, 'p'),
                                         "--rate-limits", "register=1000/1000,auth=1000/1000"});
    ASSERT_TRUE(server_.Start(opts));
    for (int i = 0; i < 200 && Call("GET", "/ready").status != 200; ++i) usleep(50 * 1000);
  }
  void TearDown() override { EXPECT_TRUE(server_.Stop()); }

  HttpResponse Call(const std::string& method, const std::string& path,
                    const std::string& body = "", const std::string& bearer = "") {
    return HttpCall(server_.port(), method, path, body, bearer);
  }
  HttpResponse Guest(const std::string& device, const std::string& secret) {
    return Call("POST", "/api/v1/auth/guest",
                R"({"device_id":")" + device + R"(","device_secret":")" + secret + R"("})");
  }

  TestDatabase db_;
  ServerProcess server_;
};

TEST_F(GuestTest, DeviceSignInCreatesOnceThenResumes) {
  std::string secret = RandomSecret(32);
  HttpResponse first = Guest("device-a", secret);
  ASSERT_EQ(first.status, 200) << first.body;
  JsonDoc d;
  ASSERT_TRUE(d.Parse(first.body));
  EXPECT_TRUE(d.At({"created"}).has_value());
  EXPECT_EQ(d.Raw({"guest"}).value_or(""), "true");
  std::string username = d.Str({"username"}).value_or("");
  EXPECT_EQ(username.rfind("guest_", 0), 0u) << username;
  EXPECT_EQ(username.size(), 22u);
  // The secret itself is never stored.
  EXPECT_EQ(db_.Query("SELECT count(*) FROM player_identities WHERE provider_metadata::text LIKE "
                      "'%" +
                      secret.substr(0, 20) + "%'")
                .value_or("?"),
            "0");

  HttpResponse again = Guest("device-a", secret);
  ASSERT_EQ(again.status, 200) << again.body;
  JsonDoc d2;
  ASSERT_TRUE(d2.Parse(again.body));
  EXPECT_FALSE(d2.Has({"created"}));
  EXPECT_EQ(d2.Str({"player_id"}), d.Str({"player_id"}));

  EXPECT_TRUE(
      IsErrorEnvelope(Guest("device-a", RandomSecret(32)), 401, "guest.invalid_device_secret"));
}

TEST_F(GuestTest, BadDeviceInputIs400) {
  EXPECT_TRUE(
      IsErrorEnvelope(Guest("device-b", RandomSecret(16)), 400, "guest.weak_device_secret"));
  EXPECT_TRUE(IsErrorEnvelope(Guest("device-b", "not base64 !!"), 400, "guest.weak_device_secret"));
  EXPECT_TRUE(IsErrorEnvelope(Guest("", RandomSecret(32)), 400, "guest.invalid_device_id"));
  EXPECT_TRUE(IsErrorEnvelope(Guest(std::string(256, 'd'), RandomSecret(32)), 400,
                              "guest.invalid_device_id"));
  EXPECT_TRUE(IsErrorEnvelope(Call("POST", "/api/v1/auth/guest", "{}"), 400, "missing_field"));
  EXPECT_EQ(db_.Query("SELECT count(*) FROM players").value_or("?"), "0");
}

TEST_F(GuestTest, UpgradeTurnsGuestIntoPasswordAccount) {
  std::string secret = RandomSecret(48);
  JsonDoc g;
  ASSERT_TRUE(g.Parse(Guest("device-c", secret).body));
  std::string token = g.Str({"access_token"}).value_or("");
  HttpResponse up = Call("POST", "/api/v1/auth/guest/upgrade",
                         R"({"username":"real_name","password":"password123"})", token);
  ASSERT_EQ(up.status, 200) << up.body;
  JsonDoc u;
  ASSERT_TRUE(u.Parse(up.body));
  EXPECT_EQ(u.Raw({"upgraded"}).value_or(""), "true");
  EXPECT_EQ(u.Str({"player_id"}), g.Str({"player_id"}));
  // Old tokens are revoked; the guest identity is gone (the device would start a new guest);
  // login with the new credentials works.
  EXPECT_TRUE(IsErrorEnvelope(
      Call("GET", "/api/v1/players/" + g.Str({"player_id"}).value_or(""), "", token), 401,
      "unauthenticated"));
  EXPECT_EQ(db_.Query("SELECT count(*) FROM player_identities WHERE provider_uid = 'device-c'")
                .value_or("?"),
            "0");
  EXPECT_EQ(
      Call("POST", "/api/v1/auth/login", R"({"username":"real_name","password":"password123"})")
          .status,
      200);
  std::string new_token = u.Str({"access_token"}).value_or("");
  EXPECT_TRUE(
      IsErrorEnvelope(Call("POST", "/api/v1/auth/guest/upgrade",
                           R"({"username":"other_name","password":"password123"})", new_token),
                      409, "guest.not_unclaimed"));
}

// An open socket signed in with the guest token gets `session_revoked` and close 1008 when
// the guest upgrades (its tokens are deleted; DECISIONS.md wire 5, issue 11 item 1).
TEST_F(GuestTest, UpgradeRevokesTheGuestsOpenSockets) {
  JsonDoc g;
  ASSERT_TRUE(g.Parse(Guest("device-r", RandomSecret(48)).body));
  std::string token = g.Str({"access_token"}).value_or("");
  WsClient ws;
  ASSERT_TRUE(ws.Open(server_.port()));
  JsonDoc reply;
  ASSERT_TRUE(
      ws.SendText(R"({"type":"session.connect","cid":"1","payload":{"token":")" + token + "\"}}"));
  ASSERT_TRUE(ws.RecvJson(&reply));
  ASSERT_EQ(reply.Str({"type"}).value_or(""), "session.connected") << reply.text();
  HttpResponse up = Call("POST", "/api/v1/auth/guest/upgrade",
                         R"({"username":"revoked_name","password":"password123"})", token);
  ASSERT_EQ(up.status, 200) << up.body;
  JsonDoc err;
  ASSERT_TRUE(ws.RecvJson(&err));
  EXPECT_EQ(err.Str({"payload", "reason"}).value_or(""), "session_revoked") << err.text();
  EXPECT_TRUE(ws.ExpectClose(1008, "session_revoked"));
}

TEST(GuestDisabledTest, SignInIs403WhenNotEnabled) {
  TestDatabase db;
  ASSERT_TRUE(db.ok()) << db.error();
  ServerProcess server;
  ServerOptions opts;
  opts.flags = db.ServerFlags();
  ASSERT_TRUE(server.Start(opts));
  HttpClient c;
  ASSERT_TRUE(c.Connect(server.port()));
  std::string body = R"({"device_id":"d","device_secret":")" + RandomSecret(32) + R"("})";
  ASSERT_TRUE(
      c.SendRaw("POST /api/v1/auth/guest HTTP/1.1\r\nHost: t\r\n"
                "Content-Type: application/json\r\nContent-Length: " +
                std::to_string(body.size()) + "\r\n\r\n" + body));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(IsErrorEnvelope(*r, 403, "guest.disabled"));
  EXPECT_TRUE(server.Stop());
}

}  // namespace
}  // namespace asobi::itest

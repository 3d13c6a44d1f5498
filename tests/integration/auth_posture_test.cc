// Registration posture (rest.md §2.6) and guest sign-in declared by the game (§2.7), against
// the real server and PostgreSQL: the game's config.lua globals `registration` and
// `guest_auth` apply, the operator's --registration wins over the game's, and --guest-auth
// stands in only when config.lua declares no guest_auth.
#include <gtest/gtest.h>
#include <sodium.h>

#include <memory>
#include <string>
#include <vector>

#include "http_call.h"
#include "itest_checks.h"
#include "itest_suite.h"
#include "json_doc.h"
#include "pg_test_db.h"
#include "server_harness.h"

namespace asobi::itest {
namespace {

std::string DeviceSecret() {
  unsigned char raw[32];
  randombytes_buf(raw, sizeof raw);
  char out[sodium_base64_ENCODED_LEN(sizeof raw, sodium_base64_VARIANT_ORIGINAL)];
  sodium_bin2base64(out, sizeof out, raw, sizeof raw, sodium_base64_VARIANT_ORIGINAL);
  return out;
}

const char kMatch[] = R"(match_size = 2
local M = {}
function M.init(config) return {} end
function M.join(player_id, state) return state end
function M.leave(player_id, state) return state end
function M.handle_input(player_id, input, state) return state end
function M.tick(state) return state end
function M.get_state(player_id, state) return {} end
return M
)";

class AuthPostureTest : public ::testing::Test {
 protected:
  void TearDown() override {
    if (started_) {
      EXPECT_TRUE(server_->Stop());
    }
    if (!dir_.empty()) RemoveDir(dir_);
  }

  // Starts the server on a game whose config.lua has `globals` above its return, with `flags`.
  void Start(const std::string& globals, std::vector<std::string> flags) {
    ASSERT_TRUE(db_.ok()) << db_.error();
    dir_ = MakeGameDir(
        "/tmp/asobi_posture_itest_XXXXXX",
        {{"config.lua", globals + "\nreturn { duel = \"duel.lua\" }\n"}, {"duel.lua", kMatch}});
    ServerOptions o;
    o.flags = db_.ServerFlags();
    o.flags.insert(o.flags.end(),
                   {"--game-dir", dir_, "--rate-limits", "register=1000/1000,auth=1000/1000"});
    o.flags.insert(o.flags.end(), flags.begin(), flags.end());
    server_ = std::make_unique<ServerProcess>();
    ASSERT_TRUE(StartReady(server_.get(), o));
    started_ = true;
  }
  HttpResponse Register(const std::string& user) {
    return HttpCall(server_->port(), "POST", "/api/v1/auth/register",
                    R"({"username":")" + user + R"(","password":"password123"})");
  }
  HttpResponse Login(const std::string& user) {
    return HttpCall(server_->port(), "POST", "/api/v1/auth/login",
                    R"({"username":")" + user + R"(","password":"password123"})");
  }
  HttpResponse Guest(const std::string& device, const std::string& secret) {
    return HttpCall(server_->port(), "POST", "/api/v1/auth/guest",
                    R"({"device_id":")" + device + R"(","device_secret":")" + secret + R"("})");
  }

  TestDatabase db_;
  std::unique_ptr<ServerProcess> server_;
  bool started_ = false;
  std::string dir_;
  const std::string pepper_ = std::string(40, 'q');
};

TEST_F(AuthPostureTest, TheGamesGuestAuthTurnsGuestSignInOnWithThePepper) {
  Start("guest_auth = true", {"--guest-pepper", pepper_});
  HttpResponse r = Guest("posture-dev-1", DeviceSecret());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(ParseBody(r).Raw({"created"}).value_or(""), "true");
}

TEST_F(AuthPostureTest, TheGamesGuestAuthWithoutAPepperStaysDisabled) {
  Start("guest_auth = true", {});
  EXPECT_TRUE(IsErrorEnvelope(Guest("posture-dev-2", DeviceSecret()), 403, "guest.disabled"));
}

TEST_F(AuthPostureTest, TheGameSayingNoWinsOverTheGuestAuthFlag) {
  Start("guest_auth = false", {"--guest-auth", "--guest-pepper", pepper_});
  EXPECT_TRUE(IsErrorEnvelope(Guest("posture-dev-3", DeviceSecret()), 403, "guest.disabled"));
}

TEST_F(AuthPostureTest, TheFlagStandsInWhenTheGameDeclaresNothing) {
  Start("", {"--guest-auth", "--guest-pepper", pepper_});
  EXPECT_EQ(Guest("posture-dev-4", DeviceSecret()).status, 200);
}

TEST_F(AuthPostureTest, ClosedRefusesEveryFirstTimeCreateButNotLoginOrResume) {
  // Accounts made while open; then the same database under `closed`.
  Start("guest_auth = true", {"--guest-pepper", pepper_});
  ASSERT_EQ(Register("posture_old").status, 200);
  std::string secret = DeviceSecret();
  ASSERT_EQ(Guest("posture-dev-5", secret).status, 200);
  ASSERT_TRUE(server_->Stop());
  started_ = false;
  RemoveDir(dir_);
  Start("guest_auth = true\nregistration = \"closed\"", {"--guest-pepper", pepper_});
  EXPECT_TRUE(IsErrorEnvelope(Register("posture_new"), 403, "auth.registration_closed"));
  EXPECT_TRUE(
      IsErrorEnvelope(Guest("posture-dev-6", DeviceSecret()), 403, "auth.registration_closed"));
  EXPECT_EQ(Login("posture_old").status, 200);
  HttpResponse resume = Guest("posture-dev-5", secret);
  ASSERT_EQ(resume.status, 200) << resume.body;
  EXPECT_FALSE(ParseBody(resume).Has({"created"}));
  EXPECT_EQ(db_.Query("SELECT count(*) FROM players WHERE username = 'posture_new'").value_or("?"),
            "0");
}

TEST_F(AuthPostureTest, OauthOnlyRefusesPasswordRegistrationButNotGuests) {
  Start("guest_auth = true\nregistration = \"oauth_only\"", {"--guest-pepper", pepper_});
  EXPECT_TRUE(IsErrorEnvelope(Register("posture_pw"), 403, "auth.password_registration_disabled"));
  EXPECT_EQ(Guest("posture-dev-7", DeviceSecret()).status, 200);
}

TEST_F(AuthPostureTest, TheOperatorsValueWinsOverTheGames) {
  Start("registration = \"closed\"", {"--registration", "open"});
  EXPECT_EQ(Register("posture_op_open").status, 200);
}

TEST_F(AuthPostureTest, AnOperatorClosedWinsOverAnOpenGame) {
  Start("registration = \"open\"", {"--registration", "closed"});
  EXPECT_TRUE(IsErrorEnvelope(Register("posture_op_closed"), 403, "auth.registration_closed"));
}

TEST_F(AuthPostureTest, AnUnknownOperatorValueIsOpen) {
  Start("registration = \"closed\"", {"--registration", "sometimes"});
  EXPECT_EQ(Register("posture_unknown").status, 200);
}

}  // namespace
}  // namespace asobi::itest

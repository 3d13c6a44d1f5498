// ops::MintOpsToken / VerifyOpsToken / SecretEquals / CookieValue (rest.md §2.8 ops plane;
// docs/decisions.md "Ops API credentials").
#include "game/ops/ops_token.h"

#include <gtest/gtest.h>

#include "game/ops/ops_auth.h"

namespace asobi::ops {
namespace {

const std::string kKey(40, 'k');

TEST(OpsToken, RoundTripsClaims) {
  OpsTokenClaims c{"deploy bot", kRead | kErasure, 5000};
  std::string t = MintOpsToken(kKey, c);
  EXPECT_EQ(t.rfind("v1.5000.read,erasure.", 0), 0u) << t;
  auto back = VerifyOpsToken(kKey, t, 4999);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->label, "deploy bot");
  EXPECT_EQ(back->classes, kRead | kErasure);
  EXPECT_EQ(back->expires_at_s, 5000);
}

TEST(OpsToken, RefusesExpiredForgedAndMalformed) {
  std::string t = MintOpsToken(kKey, {"x", kRead, 5000});
  EXPECT_FALSE(VerifyOpsToken(kKey, t, 5000));  // expires at that second
  EXPECT_FALSE(VerifyOpsToken(std::string(40, 'j'), t, 1));
  EXPECT_FALSE(VerifyOpsToken("", t, 1));
  std::string more = t;
  more.replace(more.find(".read."), 6, ".read,config.");
  EXPECT_FALSE(VerifyOpsToken(kKey, more, 1));
  for (std::string_view bad : {"", "v1", "v1....", "v2.5000.read.eA.AAAA", "v1.x.read.eA.AA",
                               "v1.5000.root.eA.AA", "v1.5000.read,.eA.AA"}) {
    EXPECT_FALSE(VerifyOpsToken(kKey, bad, 1)) << bad;
  }
  EXPECT_FALSE(VerifyOpsToken(kKey, std::string(kOpsTokenBytesMax + 1, 'v'), 1));
}

TEST(OpsToken, ClassNames) {
  EXPECT_EQ(ClassFromName("player_data"), kPlayerData);
  EXPECT_EQ(ClassFromName("admin"), 0u);
  EXPECT_EQ(ClassNames(kAllClasses), "read,player_data,config,erasure");
}

TEST(OpsToken, SecretEqualsNeedsBothSides) {
  EXPECT_TRUE(SecretEquals("abc", "abc"));
  EXPECT_FALSE(SecretEquals("abc", "abcd"));
  EXPECT_FALSE(SecretEquals("", ""));
  EXPECT_FALSE(SecretEquals("abc", ""));
}

TEST(OpsCookie, FindsValues) {
  EXPECT_EQ(CookieValue("a=1; asobi_console=xyz; b=2", "asobi_console"), "xyz");
  EXPECT_EQ(CookieValue("asobi_console_csrf=q;asobi_console=\"v\"", "asobi_console"), "v");
  EXPECT_FALSE(CookieValue("asobi_consolex=1; =2; junk", "asobi_console"));
  EXPECT_FALSE(CookieValue("", "asobi_console"));
}

TEST(OpsAuth, SessionsNeedTheSecretAndCsrf) {
  OpsAuth auth("s3cret", "", true);
  EXPECT_FALSE(auth.OpenSession("wrong", "a", 100));
  auto s = auth.OpenSession("s3cret", "alice", 100);
  ASSERT_TRUE(s);
  EXPECT_TRUE(auth.SessionActor(s->id, s->csrf, 101));
  EXPECT_FALSE(auth.SessionActor(s->id, s->id, 101));
  EXPECT_FALSE(auth.SessionActor(s->id, s->csrf, 100 + kConsoleSessionTtlS));
  auto s2 = auth.OpenSession("s3cret", "", 100);
  auth.CloseSession(s2->id);
  EXPECT_FALSE(auth.SessionActor(s2->id, s2->csrf, 101));
}

// The stored forms of the database-backed sessions (ops_console_sessions.h).
TEST(OpsAuth, SessionLabelAndHashes) {
  EXPECT_EQ(OpsAuth::SessionLabel(""), "operator");
  EXPECT_EQ(OpsAuth::SessionLabel(std::string(70, 'a')), std::string(kOpsLabelBytesMax, 'a'));
  // 63 ASCII bytes then a 2-byte character across the 64-byte cut: the character goes whole.
  EXPECT_EQ(OpsAuth::SessionLabel(std::string(63, 'a') + "\xc3\xa9z"), std::string(63, 'a'));
  EXPECT_EQ(OpsAuth::SessionLabel(std::string("a\0b\n\x7f", 5)), "ab");
  EXPECT_EQ(OpsAuth::SessionLabel(std::string("\0\t", 2)), "operator");
  OpsAuth::NewSession s = OpsAuth::MintIds();
  EXPECT_EQ(s.id.size(), 64u);
  EXPECT_NE(s.id, s.csrf);
  std::string h = OpsAuth::HashHex(s.csrf);
  EXPECT_EQ(h.size(), 64u);
  EXPECT_NE(h, s.csrf);
  EXPECT_TRUE(OpsAuth::HashMatches(h, s.csrf));
  EXPECT_FALSE(OpsAuth::HashMatches(h, s.id));
  EXPECT_FALSE(OpsAuth::HashMatches(h, ""));
  EXPECT_FALSE(OpsAuth::HashMatches("", s.csrf));
}

}  // namespace
}  // namespace asobi::ops

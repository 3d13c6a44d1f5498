// Steam session tickets (rest.md §2.8): the ticket checks before any call, the Web API URL
// (key, app id, ticket) and every documented answer; the Web API is a function in the test.
#include "game/oauth/steam_ticket.h"

#include <gtest/gtest.h>

#include "game/oauth/id_token.h"

namespace asobi::oauth {
namespace {

struct Fake {
  long status = 200;
  std::string body;
  bool down = false;
  std::string url;
  int calls = 0;
};

SteamVerifier Make(Fake* f) {
  SteamConfig c;
  c.api_key = "KEY+1";
  c.app_id = "480";
  c.api_base = "https://steam.test";
  return SteamVerifier(
      c, [f](const std::string& url, int64_t) -> Result<std::pair<long, std::string>> {
        ++f->calls;
        f->url = url;
        if (f->down) return MakeError("fetch_failed", "timeout");
        return std::make_pair(f->status, f->body);
      });
}

std::string Detail(const Result<IdClaims>& r) {
  if (r.ok()) return "ok:" + r->sub;
  EXPECT_EQ(r.error().reason, kProviderRejected);
  return r.error().message;
}

TEST(SteamTicketTest, AcceptsAnOkTicket) {
  Fake f;
  f.body = R"({"response":{"params":{"result":"OK","steamid":"76561197960287930",)"
           R"("ownersteamid":"76561197960287930","vacbanned":false,"publisherbanned":false}}})";
  SteamVerifier v = Make(&f);
  EXPECT_EQ(Detail(v.Verify("14000000AbCd", 0)), "ok:76561197960287930");
  EXPECT_EQ(f.url,
            "https://steam.test/ISteamUserAuth/AuthenticateUserTicket/v1/?key=KEY%2B1&appid=480"
            "&ticket=14000000AbCd");
}

TEST(SteamTicketTest, RefusesBadTicketsWithoutCallingSteam) {
  Fake f;
  SteamVerifier v = Make(&f);
  EXPECT_EQ(Detail(v.Verify("", 0)), "malformed_ticket");
  EXPECT_EQ(Detail(v.Verify("abc", 0)), "malformed_ticket");
  EXPECT_EQ(Detail(v.Verify("zz", 0)), "malformed_ticket");
  EXPECT_EQ(Detail(v.Verify("ab&key=x", 0)), "malformed_ticket");
  EXPECT_EQ(Detail(v.Verify(std::string(kMaxSteamTicketChars + 2, 'a'), 0)), "malformed_ticket");
  EXPECT_EQ(f.calls, 0);
}

TEST(SteamTicketTest, SteamRefusalsAndOutages) {
  Fake f;
  SteamVerifier v = Make(&f);
  f.body = R"({"response":{"error":{"errorcode":101,"errordesc":"Invalid ticket"}}})";
  EXPECT_EQ(Detail(v.Verify("aa", 0)), "invalid_ticket");
  f.body = R"({"response":{"params":{"result":"Fail","steamid":"1"}}})";
  EXPECT_EQ(Detail(v.Verify("aa", 0)), "invalid_ticket");
  f.body = R"({"response":{"params":{"result":"OK","steamid":"76x"}}})";
  EXPECT_EQ(Detail(v.Verify("aa", 0)), "invalid_ticket");
  f.body = "<html>";
  EXPECT_EQ(Detail(v.Verify("aa", 0)), "steam_unavailable");
  f.body = R"({"response":{}})";
  EXPECT_EQ(Detail(v.Verify("aa", 0)), "steam_unavailable");
  f.status = 403;
  EXPECT_EQ(Detail(v.Verify("aa", 0)), "steam_unavailable");
  f.down = true;
  EXPECT_EQ(Detail(v.Verify("aa", 0)), "steam_unavailable");
}

}  // namespace
}  // namespace asobi::oauth

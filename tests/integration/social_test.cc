// Friends and groups against the real server and PostgreSQL (rest.md §3.3, §1.5;
// docs/decisions.md "Social"): the friendship row semantics, group roles with the promotion
// and kick rules, and every error row, non-canonical UUIDs included.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "http_call.h"
#include "http_client.h"
#include "itest_checks.h"
#include "itest_suite.h"
#include "json_doc.h"
#include "pg_test_db.h"
#include "server_harness.h"
#include "server_suite.h"

namespace asobi::itest {
namespace {

class SocialTest : public ServerSuite<SocialTest> {
 protected:
  static void SetUpTestSuite() {
    db_ = new TestDatabase();
    ASSERT_TRUE(db_->ok()) << db_->error();
    server_ = new ServerProcess();
    ServerOptions o;
    o.flags = db_->ServerFlags();
    o.flags.insert(o.flags.end(),
                   {"--rate-limits", "register=1000/1000,auth=1000/1000,api=100000/1000"});
    ASSERT_TRUE(StartReady(server_, o));
  }

  static size_t Count(const JsonDoc& d, const char* key) {
    auto v = d.At({key});
    if (!v || !v->is_array()) return 9999;
    return v->get_array().size();
  }
  // Creates a group owned by `token`'s player; returns its id.
  static std::string Group(const std::string& token, const std::string& body) {
    HttpResponse r = Call("POST", "/api/v1/groups", body, token);
    EXPECT_EQ(r.status, 200) << r.body;
    return Json(r).Str({"id"}).value_or("");
  }
  static std::string Upper(std::string s) {
    for (char& c : s) c = char(toupper(static_cast<unsigned char>(c)));
    return s;
  }
};

constexpr char kNoSuchUuid[] = "0190b000-0000-7000-8000-0000000000ff";

TEST_F(SocialTest, FriendRequestAcceptListAndRemove) {
  auto [a, ta] = Register("soc_fr_a");
  auto [b, tb] = Register("soc_fr_b");
  HttpResponse req = Call("POST", "/api/v1/friends", R"({"friend_id":")" + b + "\"}", ta);
  ASSERT_EQ(req.status, 200) << req.body;
  JsonDoc row = Json(req);
  EXPECT_EQ(row.Str({"player_id"}), a);
  EXPECT_EQ(row.Str({"friend_id"}), b);
  EXPECT_EQ(row.Str({"status"}), "pending");
  EXPECT_EQ(row.Str({"id"}).value_or("").size(), 36u);
  EXPECT_EQ(row.Str({"inserted_at"}).value_or("").size(), 24u);  // 2026-11-21T12:00:00.000Z
  EXPECT_TRUE(row.Has({"updated_at"}));
  // Idempotent: the same row again.
  JsonDoc again = Json(Call("POST", "/api/v1/friends", R"({"friend_id":")" + b + "\"}", ta));
  EXPECT_EQ(again.Str({"id"}), row.Str({"id"}));

  // Only the requester's outgoing rows are listed.
  EXPECT_EQ(Count(Json(Call("GET", "/api/v1/friends", "", ta)), "friends"), 1u);
  EXPECT_EQ(Json(Call("GET", "/api/v1/friends", "", tb)).text(), R"({"friends":[]})");

  // The target accepts: PUT /friends/<requester> by the target updates the request row.
  HttpResponse acc = Call("PUT", "/api/v1/friends/" + a, R"({"status":"accepted"})", tb);
  ASSERT_EQ(acc.status, 200) << acc.body;
  EXPECT_EQ(Json(acc).Str({"status"}), "accepted");
  EXPECT_EQ(Json(acc).Str({"id"}), row.Str({"id"}));
  // The requester cannot answer their own request (no row player=b, friend=a).
  EXPECT_TRUE(IsErrorEnvelope(Call("PUT", "/api/v1/friends/" + b, R"({"status":"accepted"})", ta),
                              404, "social.friendship_not_found"));

  // Status filter and limit.
  EXPECT_EQ(Count(Json(Call("GET", "/api/v1/friends?status=accepted", "", ta)), "friends"), 1u);
  EXPECT_EQ(Count(Json(Call("GET", "/api/v1/friends?status=pending", "", ta)), "friends"), 0u);
  auto [c, tc] = Register("soc_fr_c");
  ASSERT_EQ(Call("POST", "/api/v1/friends", R"({"friend_id":")" + c + "\"}", ta).status, 200);
  EXPECT_EQ(Count(Json(Call("GET", "/api/v1/friends", "", ta)), "friends"), 2u);
  EXPECT_EQ(Count(Json(Call("GET", "/api/v1/friends?limit=1", "", ta)), "friends"), 1u);
  EXPECT_EQ(Count(Json(Call("GET", "/api/v1/friends?limit=0", "", ta)), "friends"), 1u);
  EXPECT_EQ(Count(Json(Call("GET", "/api/v1/friends?limit=x", "", ta)), "friends"), 2u);

  // Blocking is a status of the same row.
  EXPECT_EQ(
      Json(Call("PUT", "/api/v1/friends/" + a, R"({"status":"blocked"})", tc)).Str({"status"}),
      "blocked");

  // DELETE removes only the caller's outgoing row.
  EXPECT_TRUE(IsErrorEnvelope(Call("DELETE", "/api/v1/friends/" + a, "", tb), 404,
                              "social.friendship_not_found"));
  EXPECT_EQ(Call("DELETE", "/api/v1/friends/" + b, "", ta).body, R"({"success":true})");
  EXPECT_TRUE(IsErrorEnvelope(Call("DELETE", "/api/v1/friends/" + b, "", ta), 404,
                              "social.friendship_not_found"));
  EXPECT_EQ(Count(Json(Call("GET", "/api/v1/friends", "", ta)), "friends"), 1u);
}

TEST_F(SocialTest, FriendErrorRows) {
  auto [a, ta] = Register("soc_fe_a");
  auto [b, tb] = Register("soc_fe_b");
  EXPECT_TRUE(IsErrorEnvelope(Call("GET", "/api/v1/friends"), 401, "unauthenticated"));
  EXPECT_TRUE(IsErrorEnvelope(Call("POST", "/api/v1/friends", R"({"friend_id":")" + a + "\"}", ta),
                              400, "social.cannot_friend_self"));
  EXPECT_TRUE(IsErrorEnvelope(Call("POST", "/api/v1/friends", "{}", ta), 400, "invalid_payload"));
  EXPECT_TRUE(IsErrorEnvelope(Call("POST", "/api/v1/friends", "", ta), 400, "invalid_payload"));
  EXPECT_TRUE(IsErrorEnvelope(Call("POST", "/api/v1/friends", R"({"friend_id":7})", ta), 400,
                              "invalid_payload"));
  EXPECT_TRUE(IsErrorEnvelope(Call("POST", "/api/v1/friends", "{nope", ta), 400, "invalid_json"));
  EXPECT_TRUE(IsErrorEnvelope(
      Call("POST", "/api/v1/friends", std::string(R"({"friend_id":")") + kNoSuchUuid + "\"}", ta),
      404, "social.friend_not_found"));
  // Non-canonical UUIDs (rest.md §1.5): the route's 404.
  EXPECT_TRUE(
      IsErrorEnvelope(Call("POST", "/api/v1/friends", R"({"friend_id":")" + Upper(b) + "\"}", ta),
                      404, "social.friend_not_found"));
  EXPECT_TRUE(IsErrorEnvelope(Call("POST", "/api/v1/friends", R"({"friend_id":"bob"})", ta), 404,
                              "social.friend_not_found"));
  EXPECT_TRUE(IsErrorEnvelope(Call("PUT", "/api/v1/friends/bob", R"({"status":"accepted"})", tb),
                              404, "social.friendship_not_found"));
  EXPECT_TRUE(IsErrorEnvelope(Call("DELETE", "/api/v1/friends/" + Upper(b), "", ta), 404,
                              "social.friendship_not_found"));

  // A bad status: 404 without a row, 422 with one (and the row unchanged).
  EXPECT_TRUE(IsErrorEnvelope(Call("PUT", "/api/v1/friends/" + a, R"({"status":"best"})", tb), 404,
                              "social.friendship_not_found"));
  ASSERT_EQ(Call("POST", "/api/v1/friends", R"({"friend_id":")" + b + "\"}", ta).status, 200);
  HttpResponse bad = Call("PUT", "/api/v1/friends/" + a, R"({"status":"best"})", tb);
  EXPECT_TRUE(IsErrorEnvelope(bad, 422, "validation_failed"));
  EXPECT_EQ(Json(bad).Raw({"errors"}), R"({"status":["is invalid"]})");
  EXPECT_EQ(Json(bad).Raw({"error", "details"}), R"({"errors":{"status":["is invalid"]}})");
  HttpResponse blank = Call("PUT", "/api/v1/friends/" + a, "{}", tb);
  EXPECT_TRUE(IsErrorEnvelope(blank, 422, "validation_failed"));
  EXPECT_EQ(Json(blank).Raw({"errors"}), R"({"status":["can't be blank"]})");
  EXPECT_TRUE(IsErrorEnvelope(Call("PUT", "/api/v1/friends/" + a, R"({"status":1})", tb), 422,
                              "validation_failed"));
  EXPECT_EQ(Json(Call("GET", "/api/v1/friends", "", ta)).Str({"friends", "0", "status"}),
            "pending");
}

TEST_F(SocialTest, GroupCreateGetUpdate) {
  auto [owner, to] = Register("soc_g_owner");
  auto [other, tx] = Register("soc_g_other");
  HttpResponse made =
      Call("POST", "/api/v1/groups", R"({"name":"Knights","description":"brave","open":true})", to);
  ASSERT_EQ(made.status, 200) << made.body;
  JsonDoc g = Json(made);
  const std::string id = g.Str({"id"}).value_or("");
  EXPECT_EQ(g.Str({"name"}), "Knights");
  EXPECT_EQ(g.Str({"description"}), "brave");
  EXPECT_EQ(g.Int({"max_members"}), 50);
  EXPECT_EQ(g.Raw({"open"}), "true");
  EXPECT_EQ(g.Str({"creator_id"}), owner);
  EXPECT_EQ(g.Raw({"metadata"}), "{}");
  EXPECT_TRUE(g.Has({"inserted_at"}));
  EXPECT_TRUE(g.Has({"updated_at"}));
  // The creator is the owner.
  JsonDoc members = Json(Call("GET", "/api/v1/groups/" + id + "/members", "", tx));
  EXPECT_EQ(Count(members, "members"), 1u);
  EXPECT_EQ(members.Str({"members", "0", "player_id"}), owner);
  EXPECT_EQ(members.Str({"members", "0", "role"}), "owner");
  EXPECT_EQ(members.Str({"members", "0", "group_id"}), id);
  EXPECT_TRUE(members.Has({"members", "0", "joined_at"}));

  EXPECT_EQ(Json(Call("GET", "/api/v1/groups/" + id, "", tx)).Str({"name"}), "Knights");
  EXPECT_TRUE(IsErrorEnvelope(Call("GET", std::string("/api/v1/groups/") + kNoSuchUuid, "", tx),
                              404, "social.group_not_found"));
  EXPECT_TRUE(IsErrorEnvelope(Call("GET", "/api/v1/groups/" + Upper(id), "", tx), 404,
                              "social.group_not_found"));
  EXPECT_TRUE(
      IsErrorEnvelope(Call("GET", "/api/v1/groups/x", "", tx), 404, "social.group_not_found"));

  // Defaults: closed, 50 members, null description.
  JsonDoc d = Json(Call("POST", "/api/v1/groups", R"({"name":"ab"})", to));
  EXPECT_EQ(d.Raw({"open"}), "false");
  EXPECT_EQ(d.Raw({"description"}), "null");

  // Update: owner yes, non-member 403, unknown 404; absent fields stay.
  HttpResponse up = Call("PUT", "/api/v1/groups/" + id, R"({"max_members":3,"open":false})", to);
  ASSERT_EQ(up.status, 200) << up.body;
  EXPECT_EQ(Json(up).Int({"max_members"}), 3);
  EXPECT_EQ(Json(up).Raw({"open"}), "false");
  EXPECT_EQ(Json(up).Str({"name"}), "Knights");
  EXPECT_EQ(Json(up).Str({"description"}), "brave");
  EXPECT_EQ(Json(Call("PUT", "/api/v1/groups/" + id, R"({"description":null,"open":true})", to))
                .Raw({"description"}),
            "null");
  EXPECT_TRUE(IsErrorEnvelope(Call("PUT", "/api/v1/groups/" + id, R"({"name":"Mine"})", tx), 403,
                              "forbidden"));
  EXPECT_TRUE(IsErrorEnvelope(
      Call("PUT", std::string("/api/v1/groups/") + kNoSuchUuid, R"({"name":"Mine"})", to), 404,
      "social.group_not_found"));
  EXPECT_TRUE(IsErrorEnvelope(Call("PUT", "/api/v1/groups/" + Upper(id), R"({"name":"x1"})", to),
                              404, "social.group_not_found"));
  // A plain member may not update either.
  ASSERT_EQ(Call("POST", "/api/v1/groups/" + id + "/join", "", tx).status, 200);
  EXPECT_TRUE(IsErrorEnvelope(Call("PUT", "/api/v1/groups/" + id, R"({"name":"Mine"})", tx), 403,
                              "forbidden"));
}

TEST_F(SocialTest, GroupValidation) {
  const std::string t = Register("soc_gv").second;
  auto expect_422 = [&](const std::string& body, const std::string& errors) {
    HttpResponse r = Call("POST", "/api/v1/groups", body, t);
    EXPECT_TRUE(IsErrorEnvelope(r, 422, "validation_failed")) << body;
    EXPECT_EQ(Json(r).Raw({"errors"}), errors) << body;
  };
  expect_422("{}", R"({"name":["can't be blank"]})");
  expect_422("", R"({"name":["can't be blank"]})");
  expect_422(R"({"name":"a"})", R"j({"name":["should be at least 2 character(s)"]})j");
  expect_422(R"({"name":")" + std::string(65, 'n') + "\"}",
             R"j({"name":["should be at most 64 character(s)"]})j");
  expect_422(R"({"name":5})", R"({"name":["is invalid"]})");
  expect_422(R"({"name":"ok","description":")" + std::string(1025, 'd') + "\"}",
             R"j({"description":["should be at most 1024 character(s)"]})j");
  expect_422(R"({"name":"ok","max_members":0})",
             R"({"max_members":["must be between 1 and 1000"]})");
  expect_422(R"({"name":"ok","max_members":1001})",
             R"({"max_members":["must be between 1 and 1000"]})");
  expect_422(R"({"name":"ok","max_members":"5"})", R"({"max_members":["is invalid"]})");
  expect_422(R"({"name":"ok","open":"yes"})", R"({"open":["is invalid"]})");
  // Limits are characters, not bytes: 64 three-byte characters and 1024 of them fit.
  std::string name;
  for (int i = 0; i < 64; ++i) name += "\xE3\x81\x82";
  std::string desc;
  for (int i = 0; i < 1024; ++i) desc += "\xC3\xA9";
  HttpResponse ok = Call("POST", "/api/v1/groups",
                         R"({"name":")" + name + R"(","description":")" + desc + "\"}", t);
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(Json(ok).Str({"name"}), name);
  const std::string id = Json(ok).Str({"id"}).value_or("");
  HttpResponse bad = Call("PUT", "/api/v1/groups/" + id, R"({"name":null})", t);
  EXPECT_TRUE(IsErrorEnvelope(bad, 422, "validation_failed"));
  EXPECT_EQ(Json(bad).Raw({"errors"}), R"({"name":["can't be blank"]})");
  EXPECT_TRUE(IsErrorEnvelope(Call("POST", "/api/v1/groups", "[1]", t), 400, "invalid_payload"));
}

TEST_F(SocialTest, JoinLeaveClosedFullAlreadyMember) {
  auto [owner, to] = Register("soc_j_owner");
  auto [a, ta] = Register("soc_j_a");
  auto [b, tb] = Register("soc_j_b");
  const std::string open = Group(to, R"({"name":"open2","open":true,"max_members":2})");
  const std::string closed = Group(to, R"({"name":"closed"})");

  HttpResponse joined = Call("POST", "/api/v1/groups/" + open + "/join", "", ta);
  ASSERT_EQ(joined.status, 200) << joined.body;
  EXPECT_EQ(joined.body, R"({"success":true,"group_id":")" + open + "\"}");
  EXPECT_TRUE(IsErrorEnvelope(Call("POST", "/api/v1/groups/" + open + "/join", "", ta), 409,
                              "social.already_member"));
  EXPECT_TRUE(IsErrorEnvelope(Call("POST", "/api/v1/groups/" + open + "/join", "", tb), 409,
                              "social.group_full"));
  EXPECT_TRUE(IsErrorEnvelope(Call("POST", "/api/v1/groups/" + closed + "/join", "", tb), 403,
                              "social.group_closed"));
  EXPECT_TRUE(
      IsErrorEnvelope(Call("POST", std::string("/api/v1/groups/") + kNoSuchUuid + "/join", "", tb),
                      404, "social.group_not_found"));
  EXPECT_TRUE(IsErrorEnvelope(Call("POST", "/api/v1/groups/" + Upper(open) + "/join", "", tb), 404,
                              "social.group_not_found"));

  // Leave frees the place; leaving again (or an unknown group) still succeeds.
  EXPECT_EQ(Call("POST", "/api/v1/groups/" + open + "/leave", "", ta).body, R"({"success":true})");
  EXPECT_EQ(Call("POST", "/api/v1/groups/" + open + "/leave", "", ta).body, R"({"success":true})");
  EXPECT_EQ(Call("POST", "/api/v1/groups/nope/leave", "", ta).body, R"({"success":true})");
  EXPECT_EQ(Call("POST", "/api/v1/groups/" + open + "/join", "", tb).status, 200);
  JsonDoc m = Json(Call("GET", "/api/v1/groups/" + open + "/members", "", ta));
  EXPECT_EQ(Count(m, "members"), 2u);
  EXPECT_EQ(m.Str({"members", "1", "player_id"}), b);
  EXPECT_EQ(m.Str({"members", "1", "role"}), "member");
  EXPECT_EQ(
      Json(Call("GET", std::string("/api/v1/groups/") + kNoSuchUuid + "/members", "", ta)).text(),
      R"({"members":[]})");
  EXPECT_EQ(Json(Call("GET", "/api/v1/groups/bad/members", "", ta)).text(), R"({"members":[]})");
}

TEST_F(SocialTest, RolesPromotionAndKickRules) {
  auto [owner, to] = Register("soc_r_owner");
  auto [adm, tadm] = Register("soc_r_admin");
  auto [mod, tmod] = Register("soc_r_mod");
  auto [mod2, tmod2] = Register("soc_r_mod2");
  auto [mem, tmem] = Register("soc_r_member");
  auto [out, tout] = Register("soc_r_outsider");
  const std::string g = Group(to, R"({"name":"ranks","open":true})");
  for (const std::string* t : {&tadm, &tmod, &tmod2, &tmem}) {
    ASSERT_EQ(Call("POST", "/api/v1/groups/" + g + "/join", "", *t).status, 200);
  }
  auto role = [&](const std::string& token, const std::string& target, const std::string& r) {
    return Call("PUT", "/api/v1/groups/" + g + "/members/" + target + "/role",
                R"({"role":")" + r + "\"}", token);
  };
  auto kick = [&](const std::string& token, const std::string& target) {
    return Call("DELETE", "/api/v1/groups/" + g + "/members/" + target, "", token);
  };

  HttpResponse promoted = role(to, adm, "admin");
  ASSERT_EQ(promoted.status, 200) << promoted.body;
  EXPECT_EQ(Json(promoted).Str({"role"}), "admin");
  EXPECT_EQ(Json(promoted).Str({"player_id"}), adm);
  EXPECT_EQ(Json(promoted).Str({"group_id"}), g);
  EXPECT_EQ(Json(role(tadm, mod, "moderator")).Str({"role"}), "moderator");
  EXPECT_EQ(Json(role(to, mod2, "moderator")).Str({"role"}), "moderator");

  // Promotion rules: actor >= admin, actor > new role, new role != owner.
  EXPECT_TRUE(IsErrorEnvelope(role(tmod, mem, "admin"), 403, "forbidden"));
  EXPECT_TRUE(IsErrorEnvelope(role(tmod, mem, "moderator"), 403, "forbidden"));
  EXPECT_TRUE(IsErrorEnvelope(role(tadm, mem, "admin"), 403, "forbidden"));
  EXPECT_TRUE(IsErrorEnvelope(role(to, mem, "owner"), 403, "forbidden"));
  EXPECT_TRUE(IsErrorEnvelope(role(tmem, mem, "member"), 403, "forbidden"));
  EXPECT_TRUE(IsErrorEnvelope(role(tout, mem, "member"), 403, "forbidden"));
  // An admin cannot demote the owner (actor must outrank the target).
  EXPECT_TRUE(IsErrorEnvelope(role(tadm, owner, "member"), 403, "forbidden"));
  EXPECT_TRUE(IsErrorEnvelope(role(to, mem, "king"), 400, "social.invalid_role"));
  EXPECT_TRUE(
      IsErrorEnvelope(Call("PUT", "/api/v1/groups/" + g + "/members/" + mem + "/role", "{}", to),
                      400, "social.invalid_role"));
  EXPECT_TRUE(IsErrorEnvelope(role(to, out, "member"), 404, "social.member_not_found"));
  EXPECT_TRUE(IsErrorEnvelope(role(to, Upper(mem), "member"), 404, "social.member_not_found"));
  EXPECT_TRUE(
      IsErrorEnvelope(Call("PUT", "/api/v1/groups/" + Upper(g) + "/members/" + mem + "/role",
                           R"({"role":"member"})", to),
                      404, "social.member_not_found"));

  // Kick rules: actor >= moderator and actor > target.
  EXPECT_TRUE(IsErrorEnvelope(kick(tmod, mod2), 403, "forbidden"));  // equal rank
  EXPECT_TRUE(IsErrorEnvelope(kick(tmod, adm), 403, "forbidden"));
  EXPECT_TRUE(IsErrorEnvelope(kick(tmem, mod), 403, "forbidden"));
  EXPECT_TRUE(IsErrorEnvelope(kick(tout, mem), 403, "forbidden"));
  EXPECT_TRUE(IsErrorEnvelope(kick(tmod, out), 404, "social.member_not_found"));
  EXPECT_TRUE(IsErrorEnvelope(kick(tmod, "nobody"), 404, "social.member_not_found"));
  EXPECT_EQ(kick(tmod, mem).body, R"({"success":true})");
  EXPECT_TRUE(IsErrorEnvelope(kick(tmod, mem), 404, "social.member_not_found"));
  EXPECT_EQ(kick(tadm, mod2).body, R"({"success":true})");
  EXPECT_EQ(kick(to, adm).body, R"({"success":true})");
  JsonDoc m = Json(Call("GET", "/api/v1/groups/" + g + "/members", "", to));
  EXPECT_EQ(Count(m, "members"), 2u);
}

TEST_F(SocialTest, ConcurrentJoinsNeverPassMaxMembers) {
  auto [owner, to] = Register("soc_cj_owner");
  const std::string g = Group(to, R"({"name":"tiny","open":true,"max_members":3})");
  std::vector<std::string> tokens;
  for (int i = 0; i < 8; ++i) tokens.push_back(Register("soc_cj_" + std::to_string(i)).second);
  std::vector<std::thread> threads;
  std::atomic<int> ok{0}, full{0};
  for (const std::string& t : tokens) {
    threads.emplace_back([&, t] {
      HttpResponse r = Call("POST", "/api/v1/groups/" + g + "/join", "", t);
      if (r.status == 200) ++ok;
      if (r.status == 409 && r.body.find("social.group_full") != std::string::npos) ++full;
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(ok.load(), 2);
  EXPECT_EQ(full.load(), 6);
  EXPECT_EQ(Count(Json(Call("GET", "/api/v1/groups/" + g + "/members", "", to)), "members"), 3u);
}

TEST_F(SocialTest, RacingFriendRequestsMakeOneRow) {
  auto [a, ta] = Register("soc_race_a");
  auto [b, tb] = Register("soc_race_b");
  const std::string body = R"({"friend_id":")" + b + "\"}";
  const std::string token = ta;
  std::vector<std::thread> threads;
  std::atomic<int> ok{0}, conflict{0}, other{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      HttpResponse r = Call("POST", "/api/v1/friends", body, token);
      if (r.status == 200) {
        ++ok;
      } else if (IsErrorEnvelope(r, 409, "social.already_friend")) {
        ++conflict;  // lost the insert race (rest.md §3.3)
      } else {
        ++other;
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_GE(ok.load(), 1);
  EXPECT_EQ(ok.load() + conflict.load(), 8);
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(Count(Json(Call("GET", "/api/v1/friends", "", ta)), "friends"), 1u);
}

}  // namespace
}  // namespace asobi::itest

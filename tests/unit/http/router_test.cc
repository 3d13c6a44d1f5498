#include "http/router.h"

#include <gtest/gtest.h>

namespace asobi::http {
namespace {

enum Id {
  kPlayerGet = 1,
  kPlayerPut,
  kErase,
  kMatchesList,
  kMatchesLive,
  kMatchGet,
  kMatchVotes,
  kRoleUpdate,
  kRoot,
  kLiveDelete,
  kHealth,
};

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    r_.Add("GET", "/api/v1/players/:id", kPlayerGet);
    r_.Add("PUT", "/api/v1/players/:id", kPlayerPut);
    r_.Add("POST", "/api/v1/players/me/erase", kErase);
    r_.Add("GET", "/api/v1/matches", kMatchesList);
    r_.Add("GET", "/api/v1/matches/live", kMatchesLive);
    r_.Add("GET", "/api/v1/matches/:id", kMatchGet);
    r_.Add("GET", "/api/v1/matches/:id/votes", kMatchVotes);
    r_.Add("PUT", "/api/v1/groups/:id/members/:player_id/role", kRoleUpdate);
    r_.Add("GET", "/", kRoot);
    r_.Add("GET", "/health/", kHealth);  // trailing slash in a pattern collapses too
  }
  Router r_;
};

TEST_F(RouterTest, BindsParams) {
  RouteMatch m = r_.Match("GET", "/api/v1/players/0190a1b2");
  ASSERT_EQ(m.status, RouteStatus::kFound);
  EXPECT_EQ(m.route_id, kPlayerGet);
  EXPECT_EQ(m.param_count, 1u);
  EXPECT_EQ(m.Param("id"), "0190a1b2");
  EXPECT_EQ(m.Param("nope"), "");

  m = r_.Match("PUT", "/api/v1/groups/g1/members/p2/role");
  ASSERT_EQ(m.status, RouteStatus::kFound);
  EXPECT_EQ(m.route_id, kRoleUpdate);
  EXPECT_EQ(m.Param("id"), "g1");
  EXPECT_EQ(m.Param("player_id"), "p2");
}

TEST_F(RouterTest, LiteralBeatsBinding) {
  RouteMatch m = r_.Match("GET", "/api/v1/matches/live");
  ASSERT_EQ(m.status, RouteStatus::kFound);
  EXPECT_EQ(m.route_id, kMatchesLive);
  EXPECT_EQ(m.param_count, 0u);
  m = r_.Match("GET", "/api/v1/matches/m1");
  ASSERT_EQ(m.status, RouteStatus::kFound);
  EXPECT_EQ(m.route_id, kMatchGet);
  EXPECT_EQ(m.Param("id"), "m1");
}

TEST_F(RouterTest, FallsBackToBindingWhenLiteralBranchDeadEnds) {
  RouteMatch m = r_.Match("GET", "/api/v1/matches/live/votes");
  ASSERT_EQ(m.status, RouteStatus::kFound);
  EXPECT_EQ(m.route_id, kMatchVotes);
  EXPECT_EQ(m.Param("id"), "live");
  // "me" is a literal under players only for .../erase; GET /players/me is the binding.
  m = r_.Match("GET", "/api/v1/players/me");
  ASSERT_EQ(m.status, RouteStatus::kFound);
  EXPECT_EQ(m.route_id, kPlayerGet);
  EXPECT_EQ(m.Param("id"), "me");
}

TEST_F(RouterTest, DoubleAndTrailingSlashesCollapse) {
  EXPECT_EQ(r_.Match("GET", "//api//v1/matches/live/").route_id, kMatchesLive);
  EXPECT_EQ(r_.Match("GET", "/api/v1/matches///").route_id, kMatchesList);
  EXPECT_EQ(r_.Match("GET", "/health").route_id, kHealth);
  EXPECT_EQ(r_.Match("GET", "/health//").route_id, kHealth);
  EXPECT_EQ(r_.Match("GET", "/").route_id, kRoot);
  EXPECT_EQ(r_.Match("GET", "").route_id, kRoot);
  EXPECT_EQ(r_.Match("GET", "///").route_id, kRoot);
}

TEST_F(RouterTest, UnknownPathIs404KnownPathWrongMethodIs405) {
  EXPECT_EQ(r_.Match("GET", "/api/v1/nothing").status, RouteStatus::kNotFound);
  EXPECT_EQ(r_.Match("GET", "/api/v1/players").status, RouteStatus::kNotFound);  // inner node
  EXPECT_EQ(r_.Match("GET", "/api/v1/players/a/b").status, RouteStatus::kNotFound);
  RouteMatch m = r_.Match("DELETE", "/api/v1/players/x");
  EXPECT_EQ(m.status, RouteStatus::kMethodNotAllowed);
  EXPECT_EQ(m.route_id, -1);
  EXPECT_EQ(m.allow, "GET, PUT");
  m = r_.Match("POST", "/api/v1/matches/live");
  EXPECT_EQ(m.status, RouteStatus::kMethodNotAllowed);
  EXPECT_EQ(m.allow, "GET");  // the literal node is the path's first match
  EXPECT_EQ(r_.Match("get", "/api/v1/matches").status, RouteStatus::kMethodNotAllowed);
}

TEST_F(RouterTest, MethodFoundOnBindingBranchWhenLiteralLacksIt) {
  r_.Add("DELETE", "/api/v1/matches/:id", kLiveDelete);
  RouteMatch m = r_.Match("DELETE", "/api/v1/matches/live");
  ASSERT_EQ(m.status, RouteStatus::kFound);
  EXPECT_EQ(m.route_id, kLiveDelete);
  EXPECT_EQ(m.Param("id"), "live");
}

TEST_F(RouterTest, PathsAreNotUrlDecoded) {
  RouteMatch m = r_.Match("GET", "/api/v1/players/a%2Fb");
  ASSERT_EQ(m.status, RouteStatus::kFound);
  EXPECT_EQ(m.Param("id"), "a%2Fb");
  EXPECT_EQ(r_.Match("GET", "/api/v1/matches/%6Cive").route_id, kMatchGet);
}

TEST(RouterDeath, DuplicateRouteIsAProgrammingError) {
  Router r;
  r.Add("GET", "/a/:x", 1);
  EXPECT_DEATH(r.Add("GET", "/a/:y", 2), "CHECK failed");
  EXPECT_DEATH(r.Add("GET", "a", 3), "CHECK failed");
}

}  // namespace
}  // namespace asobi::http

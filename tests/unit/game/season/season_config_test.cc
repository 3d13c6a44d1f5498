// The seasons file (docs/seasons.md): what ParseSeasons accepts, sorts and rejects, and which
// season CurrentSeason and the Lua backend's Next pick.
#include "game/season/season_config.h"

#include <gtest/gtest.h>

#include "game/season/season_lua_backend.h"

namespace asobi::season {
namespace {

std::string Reason(std::string_view json) {
  Result<SeasonList> r = ParseSeasons(json);
  return r.ok() ? "ok" : r.error().message;
}

TEST(SeasonConfig, ParsesSortsAndKeepsEveryField) {
  Result<SeasonList> r =
      ParseSeasons(R"({"seasons": [{"id": "b", "name": "B", "starts_at": 20, "ends_at": 30},)"
                   R"({"id": "a.1_x-Y", "name": "A", "starts_at": 10, "ends_at": 20,)"
                   R"( "leaderboards": ["arena", "kills"], "config": {"k": [1, 2]},)"
                   R"( "rewards": [{"from": 1, "to": 2, "currency": "gold", "amount": 7}]}]})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 2u);
  const Season& a = (*r)[0];  // sorted by starts_at; touching windows are fine
  EXPECT_EQ(a.id, "a.1_x-Y");
  EXPECT_EQ(a.name, "A");
  EXPECT_EQ(a.starts_at_ms, 10);
  EXPECT_EQ(a.ends_at_ms, 20);
  EXPECT_EQ(a.leaderboards, (std::vector<std::string>{"arena", "kills"}));
  EXPECT_EQ(a.config_json, R"({"k":[1,2]})");
  EXPECT_EQ(a.rewards_json, R"([{"from":1,"to":2,"currency":"gold","amount":7}])");
  ASSERT_EQ(a.rewards.size(), 1u);
  EXPECT_EQ(a.rewards[0].amount, 7);
  EXPECT_EQ((*r)[1].id, "b");
  EXPECT_EQ((*r)[1].config_json, "{}");
  EXPECT_EQ((*r)[1].rewards_json, "[]");
  EXPECT_TRUE(ParseSeasons(R"({"seasons": []})").ok());
}

TEST(SeasonConfig, RejectsBadFiles) {
  EXPECT_EQ(Reason("{"), "the seasons file is not valid JSON");
  EXPECT_EQ(Reason("[]"), R"(expected {"seasons": [...]})");
  EXPECT_EQ(Reason("{}"), R"(expected {"seasons": [...]})");
  EXPECT_EQ(Reason(R"({"seasons": {}})"), "seasons must be an array");
  EXPECT_EQ(Reason(R"({"seasons": [], "x": 1})"), "unknown key x");
  EXPECT_EQ(Reason(R"({"seasons": [1]})"), "season 0: not an object");
  const std::string head = R"({"seasons": [{"id": "s", "name": "S", "starts_at": 1, )";
  EXPECT_EQ(Reason(head + R"("ends_at": 1}]})"), "season s: starts_at must be before ends_at");
  EXPECT_EQ(Reason(head + R"("ends_at": 2.5}]})"),
            "season s: ends_at must be Unix ms (an integer >= 0)");
  EXPECT_EQ(Reason(head + R"("ends_at": 2, "leaderboards": "a"}]})"),
            "season s: leaderboards must be an array of board ids");
  EXPECT_EQ(
      Reason(head + R"("ends_at": 2, "leaderboards": [")" + std::string(181, 'b') + R"("]}]})"),
      "season s: a leaderboard id must be a string of 1-180 bytes");
  EXPECT_EQ(Reason(head + R"("ends_at": 2, "config": []}]})"),
            "season s: config must be an object");
  EXPECT_EQ(Reason(head + R"("ends_at": 2, "rewards": {}}]})"),
            "season s: rewards must be an array of {from, to, currency, amount}");
  EXPECT_EQ(Reason(R"({"seasons": [{"id": "a b", "name": "S", "starts_at": 1, "ends_at": 2}]})"),
            "season 0: id must be 1-64 bytes of A-Z a-z 0-9 . _ -");
  EXPECT_EQ(Reason(R"({"seasons": [{"id": ")" + std::string(65, 'i') +
                   R"(", "name": "S", "starts_at": 1, "ends_at": 2}]})"),
            "season 0: id must be 1-64 bytes of A-Z a-z 0-9 . _ -");
  EXPECT_EQ(Reason(R"({"seasons": [{"id": "s", "name": "", "starts_at": 1, "ends_at": 2}]})"),
            "season s: name must be a string of 1-255 bytes");
  EXPECT_EQ(Reason(R"({"seasons": [{"id": "s", "starts_at": 1, "ends_at": 2}]})"),
            "season s: id, name, starts_at and ends_at are required");
  EXPECT_EQ(Reason(std::string(kMaxFileBytes + 1, ' ')), "the seasons file is over 1 MiB");
  std::string many = R"({"seasons": [)";
  for (size_t i = 0; i <= kMaxSeasons; ++i) {
    if (i > 0) many.append(",");
    many.append(R"({"id": "s)").append(std::to_string(i));
    many.append(R"(", "name": "S", "starts_at": )").append(std::to_string(i * 10));
    many.append(R"(, "ends_at": )").append(std::to_string(i * 10 + 5)).append("}");
  }
  EXPECT_EQ(Reason(many + "]}"), "more than 1000 seasons");
}

TEST(SeasonConfig, CurrentAndNext) {
  Result<SeasonList> r =
      ParseSeasons(R"({"seasons": [{"id": "a", "name": "A", "starts_at": 10, "ends_at": 20},)"
                   R"({"id": "b", "name": "B", "starts_at": 30, "ends_at": 40}]})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(CurrentSeason(*r, 9), nullptr);
  EXPECT_EQ(CurrentSeason(*r, 10)->id, "a");
  EXPECT_EQ(CurrentSeason(*r, 19)->id, "a");
  EXPECT_EQ(CurrentSeason(*r, 20), nullptr);  // ends_at is exclusive
  EXPECT_EQ(CurrentSeason(*r, 35)->id, "b");
  SeasonLuaBackend lua(std::make_shared<const SeasonList>(r.value()));
  EXPECT_EQ(lua.Next(0)->id, "a");
  EXPECT_EQ(lua.Next(15)->id, "b");
  EXPECT_FALSE(lua.Next(30).has_value());
  EXPECT_EQ(lua.Current(15)->name, "A");
  EXPECT_FALSE(lua.Current(25).has_value());
}

}  // namespace
}  // namespace asobi::season

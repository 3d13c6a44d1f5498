// ModeQueue: order, one ticket per player, expiry, bot handling (websocket.md §6, lua.md §10).
#include "game/matchmaker/mode_queue.h"

#include <gtest/gtest.h>

namespace asobi::matchmaker {
namespace {

Ticket Make(const std::string& player, int64_t at_ms = 0, bool bot = false) {
  return Ticket{.id = std::string("ticket-").append(player),
                .player_id = player,
                .mode = std::string(1, 'm'),
                .properties_json = std::string(2, ' '),
                .skill = kDefaultSkill,
                .submitted_unix_ms = 0,
                .submitted_mono_ms = at_ms,
                .clients = {},
                .bot = bot};
}

TEST(ModeQueue, FindsByIdAndPlayerAndRemoves) {
  ModeQueue q("m", 2, StrategyFor("fill"));
  q.Add(Make("a"));
  q.Add(Make("b"));
  ASSERT_NE(q.Find("ticket-a"), nullptr);
  EXPECT_EQ(q.FindByPlayer("b")->id, "ticket-b");
  EXPECT_EQ(q.Find("nope"), nullptr);
  auto removed = q.Remove("ticket-a");
  ASSERT_TRUE(removed.has_value());
  EXPECT_EQ(removed->player_id, "a");
  EXPECT_FALSE(q.Remove("ticket-a").has_value());  // twice: gone
  EXPECT_EQ(q.FindByPlayer("a"), nullptr);
  EXPECT_EQ(q.size(), 1u);
  EXPECT_EQ(q.humans(), 1u);
}

TEST(ModeQueue, GroupsLeaveTheQueueAndTheRestKeepsOrder) {
  ModeQueue q("m", 2, StrategyFor("fill"));
  for (const char* p : {"a", "b", "c"}) q.Add(Make(p));
  auto groups = q.TakeGroups(0);
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0][0].player_id, "a");
  EXPECT_EQ(groups[0][1].player_id, "b");
  EXPECT_EQ(q.size(), 1u);
  EXPECT_EQ(q.FindByPlayer("a"), nullptr);
  q.Add(Make("d"));
  groups = q.TakeGroups(0);
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0][0].player_id, "c");
  EXPECT_EQ(q.size(), 0u);
}

TEST(ModeQueue, ExpiresTicketsOlderThanMaxWait) {
  ModeQueue q("m", 4, StrategyFor("fill"));
  q.Add(Make("old", 0));
  q.Add(Make("new", 50'000));
  EXPECT_TRUE(q.TakeExpired(60'000, 60'000).empty());  // exactly 60 s is not "more than"
  auto expired = q.TakeExpired(60'001, 60'000);
  ASSERT_EQ(expired.size(), 1u);
  EXPECT_EQ(expired[0].player_id, "old");
  EXPECT_EQ(q.size(), 1u);
}

TEST(ModeQueue, BotsNeverFormAGroupAlone) {
  ModeQueue q("m", 2, StrategyFor("fill"));
  q.Add(Make("bot_a", 0, true));
  q.Add(Make("bot_b", 0, true));
  EXPECT_TRUE(q.TakeGroups(0).empty());
  EXPECT_EQ(q.size(), 0u);  // no human queued: the bots are dropped
}

TEST(ModeQueue, BotsJoinAHumanAndBotOnlyGroupsAreDropped) {
  ModeQueue q("m", 2, StrategyFor("fill"));
  q.Add(Make("human"));
  q.Add(Make("bot_1", 0, true));
  q.Add(Make("bot_2", 0, true));
  q.Add(Make("bot_3", 0, true));
  auto groups = q.TakeGroups(0);
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0][0].player_id, "human");
  EXPECT_EQ(groups[0][1].player_id, "bot_1");
  EXPECT_EQ(q.size(), 0u);
  EXPECT_EQ(q.humans(), 0u);
}

TEST(ModeQueue, SkillBasedQueueGroupsBySkill) {
  ModeQueue q("m", 2, StrategyFor("skill_based"));
  Ticket a = Make("a"), b = Make("b"), c = Make("c");
  a.skill = 100;
  b.skill = 2000;
  c.skill = 150;
  q.Add(a);
  q.Add(b);
  q.Add(c);
  auto groups = q.TakeGroups(0);
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0][0].player_id, "a");
  EXPECT_EQ(groups[0][1].player_id, "c");
  EXPECT_NE(q.FindByPlayer("b"), nullptr);
}

TEST(ModeQueueDeathTest, SecondTicketForOnePlayerIsABug) {
  ModeQueue q("m", 2, StrategyFor("fill"));
  q.Add(Make("a"));
  Ticket again = Make("a");
  again.id = "other";
  EXPECT_DEATH(q.Add(again), "");
}

}  // namespace
}  // namespace asobi::matchmaker

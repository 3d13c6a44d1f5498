// Grouping rules of the `fill` and `skill_based` strategies (lua.md §2 `strategy`).
#include <gtest/gtest.h>

#include <set>
#include <vector>

#include "game/matchmaker/match_strategy.h"

namespace asobi::matchmaker {
namespace {

struct Pool {
  std::vector<Ticket> tickets;
  std::vector<const Ticket*> Ptrs() const {
    std::vector<const Ticket*> p;
    for (const Ticket& t : tickets) p.push_back(&t);
    return p;
  }
  void Add(double skill, int64_t submitted_mono_ms = 0) {
    Ticket t;
    t.id = std::to_string(tickets.size()).append("t");
    t.player_id = std::to_string(tickets.size()).append("p");
    t.skill = skill;
    t.submitted_mono_ms = submitted_mono_ms;
    tickets.push_back(t);
  }
};

std::vector<std::vector<size_t>> Form(const MatchStrategy& s, const Pool& pool, size_t n,
                                      int64_t now_ms) {
  std::vector<std::vector<size_t>> groups;
  std::vector<const Ticket*> p = pool.Ptrs();
  s.FormGroups(p, n, now_ms, &groups);
  return groups;
}

TEST(FillStrategy, GroupsOldestFirstAndLeavesTheRemainder) {
  Pool pool;
  for (int i = 0; i < 7; ++i) pool.Add(i * 1000);  // skill is ignored
  auto groups = Form(StrategyFor("fill"), pool, 3, 0);
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0], (std::vector<size_t>{0, 1, 2}));
  EXPECT_EQ(groups[1], (std::vector<size_t>{3, 4, 5}));
}

TEST(FillStrategy, TooFewTicketsFormNothing) {
  Pool pool;
  pool.Add(1);
  EXPECT_TRUE(Form(StrategyFor("fill"), pool, 2, 0).empty());
  EXPECT_TRUE(Form(StrategyFor("fill"), Pool{}, 2, 0).empty());
}

TEST(StrategyFor, UnknownNamesActAsFill) {
  EXPECT_EQ(StrategyFor("fill").name(), "fill");
  EXPECT_EQ(StrategyFor("skill_based").name(), "skill_based");
  EXPECT_EQ(StrategyFor("").name(), "fill");
  EXPECT_EQ(StrategyFor("Skill_Based").name(), "fill");
  EXPECT_EQ(StrategyFor("random").name(), "fill");
}

TEST(SkillBased, PairsCloseSkillsAndKeepsFarOnesWaiting) {
  Pool pool;
  pool.Add(1000);
  pool.Add(3000);
  pool.Add(1050);
  pool.Add(5000);
  auto groups = Form(StrategyFor("skill_based"), pool, 2, 0);
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(std::set<size_t>(groups[0].begin(), groups[0].end()), (std::set<size_t>{0, 2}));
}

TEST(SkillBased, WindowWidensWithWaitTime) {
  Pool pool;
  pool.Add(1000, 0);
  pool.Add(1400, 0);
  const MatchStrategy& s = StrategyFor("skill_based");
  EXPECT_TRUE(Form(s, pool, 2, 1000).empty());   // window 150 after 1 s
  EXPECT_TRUE(Form(s, pool, 2, 5000).empty());   // 350 after 5 s
  EXPECT_EQ(Form(s, pool, 2, 6000).size(), 1u);  // 400 after 6 s
}

TEST(SkillBased, OneLongWaitingTicketWidensItsGroup) {
  Pool pool;
  pool.Add(1000, 0);       // waited 20 s at t=20000: window 1000 (capped)
  pool.Add(1900, 19'900);  // fresh: window 100
  EXPECT_EQ(Form(StrategyFor("skill_based"), pool, 2, 20'000).size(), 1u);
}

TEST(SkillBased, WindowIsCapped) {
  SkillWindow w;
  EXPECT_DOUBLE_EQ(w.At(0), 100);
  EXPECT_DOUBLE_EQ(w.At(-5), 100);  // clock skew never narrows below base
  EXPECT_DOUBLE_EQ(w.At(10'000), 600);
  EXPECT_DOUBLE_EQ(w.At(3'600'000), 1000);
  Pool pool;
  pool.Add(0, 0);
  pool.Add(5000, 0);
  EXPECT_TRUE(Form(StrategyFor("skill_based"), pool, 2, 3'600'000).empty());
}

TEST(SkillBased, EveryIndexAtMostOnceInLargePools) {
  Pool pool;
  for (int i = 0; i < 1000; ++i) pool.Add((i * 7919) % 2000, i);
  auto groups = Form(StrategyFor("skill_based"), pool, 4, 2000);
  std::set<size_t> seen;
  for (const auto& g : groups) {
    ASSERT_EQ(g.size(), 4u);
    for (size_t i : g) EXPECT_TRUE(seen.insert(i).second);
  }
  EXPECT_GT(groups.size(), 200u);
}

}  // namespace
}  // namespace asobi::matchmaker

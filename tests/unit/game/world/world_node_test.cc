// WorldNode (websocket.md §3 "Worlds", §10.1): capacity limits, listing filters, the player
// index and the node-wide resync bucket.
#include "game/world/runtime/world_node.h"

#include <gtest/gtest.h>

#include <string>

namespace asobi::world {
namespace {

WorldListing Listing(const std::string& id, const std::string& owner, const std::string& mode) {
  WorldListing l;
  l.world_id = id;
  l.owner_player = owner;
  l.mode = mode;
  l.max_players = 2;
  l.grid_size = 3;
  return l;
}

TEST(WorldNode, CapacityLimitsPerNodeAndPerPlayer) {
  modes::ModeRegistry registry;
  WorldNode node(WorldNodeOptions{3, 2}, &registry, 2);
  EXPECT_EQ(node.Insert(Listing("w1", "p", "m")), "");
  EXPECT_EQ(node.Insert(Listing("w2", "p", "m")), "");
  EXPECT_EQ(node.CapacityError("p"), "player_world_limit_reached");
  EXPECT_EQ(node.Insert(Listing("w3", "p", "m")), "player_world_limit_reached");
  EXPECT_EQ(node.Insert(Listing("w3", "q", "m")), "");
  EXPECT_EQ(node.Insert(Listing("w4", "r", "m")), "world_capacity_reached");
  EXPECT_EQ(node.CapacityError("r"), "world_capacity_reached");
  EXPECT_EQ(node.live(), 3u);
  node.Remove("w1");
  EXPECT_EQ(node.Insert(Listing("w4", "p", "m")), "");
}

TEST(WorldNode, ListsListedLiveWorldsWithFilters) {
  modes::ModeRegistry registry;
  WorldNode node({}, &registry, 1);
  node.Insert(Listing("b", "p", "m1"));
  node.Insert(Listing("a", "p", "m2"));
  WorldListing hidden = Listing("c", "p", "m1");
  hidden.listed = false;
  node.Insert(hidden);
  node.Update("b", "running", 1000, {"x", "y"});  // full
  node.Update("a", "running", 1000, {"x"});
  EXPECT_EQ(node.List(std::nullopt, false).size(), 2u);
  EXPECT_EQ(node.List(std::nullopt, false)[0].world_id, "a");  // sorted by id
  EXPECT_EQ(node.List(std::string("m1"), false).size(), 1u);
  ASSERT_EQ(node.List(std::nullopt, true).size(), 1u);
  EXPECT_EQ(node.List(std::nullopt, true)[0].world_id, "a");
  node.Update("a", "finished", 1000, {});
  EXPECT_EQ(node.List(std::nullopt, false).size(), 1u);
  // Quick play: unlisted worlds count, full and non-running ones do not.
  node.Update("c", "running", 1000, {});
  EXPECT_EQ(node.FindQuickPlay("m1"), "c");
  EXPECT_EQ(node.FindQuickPlay("m2"), "");
}

TEST(WorldNode, ListingJsonHasNullStartedAtWhileLoading) {
  WorldListing l = Listing("w", "p", "m");
  EXPECT_EQ(ListingJson(l),
            R"({"world_id":"w","status":"loading","player_count":0,"max_players":2,)"
            R"("mode":"m","grid_size":3,"started_at":null})");
  l.players = {"p1"};
  l.player_count = 1;
  l.started_at_ms = 5;
  l.status = "running";
  EXPECT_EQ(JoinedJson(l),
            R"({"world_id":"w","status":"running","player_count":1,"max_players":2,)"
            R"("mode":"m","grid_size":3,"started_at":5,"listed":true,"quick_play":true,)"
            R"("players":["p1"]})");
}

TEST(WorldNode, PlayerIndexAndResyncBucket) {
  modes::ModeRegistry registry;
  WorldNode node({}, &registry, 1);
  node.Insert(Listing("w", "p", "m"));
  node.Update("w", "running", 1, {"p"});
  node.SetWorldOf("p", "w");
  EXPECT_EQ(node.WorldOf("p"), "w");
  node.ClearWorldOf("p", "other");  // not the world the player is in: kept
  EXPECT_EQ(node.WorldOf("p"), "w");
  node.Remove("w");  // removing a world forgets its players
  EXPECT_EQ(node.WorldOf("p"), "");
  for (int i = 0; i < WorldNode::kResyncPerSecond; ++i) EXPECT_TRUE(node.AllowResync(1000));
  EXPECT_FALSE(node.AllowResync(1999));
  EXPECT_TRUE(node.AllowResync(2000));  // a new 1 s window
}

}  // namespace
}  // namespace asobi::world

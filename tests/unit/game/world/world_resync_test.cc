// ParseResyncZone (websocket.md §10.7) and the zone geometry of world_settings.h.
#include "game/world/runtime/world_resync.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "game/world/runtime/world_settings.h"
#include "simdjson.h"

namespace asobi::world {
namespace {

std::optional<std::pair<int64_t, int64_t>> Parse(const std::string& json) {
  static simdjson::dom::parser parser;
  simdjson::dom::element e;
  EXPECT_EQ(parser.parse(json).get(e), simdjson::SUCCESS) << json;
  return ParseResyncZone(e);
}

TEST(WorldResync, AcceptsTwoIntegersWithinTheBound) {
  EXPECT_EQ(Parse(R"({"zone":[0,0]})"), std::make_pair(int64_t{0}, int64_t{0}));
  EXPECT_EQ(Parse(R"({"zone":[4294967295,-4294967295],"gap":3,"reason":"x"})"),
            std::make_pair(int64_t{4294967295}, int64_t{-4294967295}));
}

TEST(WorldResync, RejectsEverythingElse) {
  for (const char* bad :
       {R"({"zone":[4294967296,0]})", R"({"zone":[0,-4294967296]})", R"({"zone":[1.0,2]})",
        R"({"zone":[1,2,3]})", R"({"zone":[1]})", R"({"zone":[]})", R"({"zone":["1",2]})",
        R"({"zone":[true,2]})", R"({"zone":[null,2]})", R"({"zone":{"x":1,"y":2}})",
        R"({"zone":"0,0"})", R"({})", R"([0,0])", R"(5)", R"({"zone":[18446744073709551615,0]})"}) {
    EXPECT_FALSE(Parse(bad).has_value()) << bad;
  }
}

TEST(WorldSettings, PositionsOutsideTheWorldBelongToTheEdgeZones) {
  WorldSettings s;
  s.grid_size = 3;
  s.zone_size = 100;
  EXPECT_EQ(ZoneOfPosition(s, 50, 50), (ZoneKey{0, 0}));
  EXPECT_EQ(ZoneOfPosition(s, 100, 299.9), (ZoneKey{1, 2}));
  EXPECT_EQ(ZoneOfPosition(s, -1, 1e308), (ZoneKey{0, 2}));
  EXPECT_EQ(ZoneOfPosition(s, std::nan(""), std::numeric_limits<double>::infinity()),
            (ZoneKey{0, 2}));
  EXPECT_EQ(ZoneOfPosition(s, -std::numeric_limits<double>::infinity(), 5e300), (ZoneKey{0, 2}));
}

TEST(WorldSettings, ZonesOfOneWorldCoverEveryShard) {
  WorldSettings s;
  s.grid_size = 10;
  for (int owner = 0; owner < 3; ++owner) {
    bool seen[3] = {false, false, false};
    for (int y = 0; y < 10; ++y) {
      for (int x = 0; x < 10; ++x) seen[ZoneShard(s, owner, 3, {x, y})] = true;
    }
    EXPECT_TRUE(seen[0] && seen[1] && seen[2]);
    EXPECT_EQ(ZoneShard(s, owner, 3, {0, 0}), owner);
  }
  EXPECT_EQ(ZoneShard(s, 0, 1, {7, 7}), 0);
}

}  // namespace
}  // namespace asobi::world

// chat::ParseChannelId and DmChannelId (websocket.md §8.1, §8.5).
#include "game/chat/channel_id.h"

#include <gtest/gtest.h>

#include <string>

namespace asobi::chat {
namespace {

constexpr char kUuid[] = "0190a000-0000-7000-8000-000000000001";

TEST(ChannelId, LengthBounds) {
  std::string id256 = "global:" + std::string(249, 'n');
  ASSERT_EQ(id256.size(), 256u);
  EXPECT_TRUE(ParseChannelId(id256).has_value());
  EXPECT_FALSE(ParseChannelId(id256 + "n").has_value());
  EXPECT_FALSE(ParseChannelId("").has_value());
}

TEST(ChannelId, Prefixes) {
  auto g = ParseChannelId("global:lobby");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->kind, ChannelKind::kGlobal);
  EXPECT_EQ(g->name, "lobby");
  EXPECT_FALSE(ParseChannelId("lobby:x").has_value());
  EXPECT_FALSE(ParseChannelId("GLOBAL:x").has_value());
  EXPECT_FALSE(ParseChannelId("global").has_value());
  auto w = ParseChannelId("world:w1");
  ASSERT_TRUE(w);
  EXPECT_EQ(w->kind, ChannelKind::kWorld);
  EXPECT_FALSE(ParseChannelId("world:").has_value());
  auto z = ParseChannelId("zone:w1:3,-4");
  ASSERT_TRUE(z);
  EXPECT_EQ(z->kind, ChannelKind::kZone);
  EXPECT_EQ(z->world, "w1");
  EXPECT_TRUE(ParseChannelId("prox:w1:0,0").has_value());
  EXPECT_FALSE(ParseChannelId("zone:w1").has_value());
  EXPECT_FALSE(ParseChannelId("zone:w1:3").has_value());
  EXPECT_FALSE(ParseChannelId("prox::1,2").has_value());
}

TEST(ChannelId, RoomNeedsCanonicalUuid) {
  auto r = ParseChannelId(std::string("room:") + kUuid);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->kind, ChannelKind::kRoom);
  EXPECT_FALSE(ParseChannelId("room:0190A000-0000-7000-8000-000000000001").has_value());
  EXPECT_FALSE(ParseChannelId("room:0190a00000007000800000000000001").has_value());
  EXPECT_FALSE(ParseChannelId("room:{0190a000-0000-7000-8000-000000000001}").has_value());
  EXPECT_FALSE(ParseChannelId("room:").has_value());
}

TEST(ChannelId, DmForms) {
  auto d = ParseChannelId("dm:a:b");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->a, "a");
  EXPECT_EQ(d->b, "b");
  EXPECT_FALSE(ParseChannelId("dm:a").has_value());
  EXPECT_FALSE(ParseChannelId("dm::b").has_value());
  EXPECT_FALSE(ParseChannelId("dm:a:").has_value());
  EXPECT_FALSE(ParseChannelId("dm:a:b:c").has_value());
  EXPECT_EQ(DmChannelId("b", "a"), "dm:a:b");
  EXPECT_EQ(DmChannelId("a", "b"), "dm:a:b");
  EXPECT_EQ(ChannelTypeOf(ChannelKind::kDm), "dm");
  EXPECT_EQ(ChannelTypeOf(ChannelKind::kGlobal), "room");
}

}  // namespace
}  // namespace asobi::chat

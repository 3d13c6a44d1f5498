// World auto-chat channel sets and the `chat` global (world_chat.h; websocket.md §8.1, §8.4).
#include "game/world/runtime/world_chat.h"

#include <gtest/gtest.h>

#include <lua.hpp>
#include <memory>
#include <string>
#include <vector>

namespace asobi::world {
namespace {

using Channels = std::vector<std::string>;

TEST(WorldChat, NothingConfiguredMeansNoChannels) {
  WorldSettings s;
  EXPECT_TRUE(AutoChatChannels("w", s, {0, 0}).empty());
}

TEST(WorldChat, WorldZoneProximityAndGlobals) {
  WorldSettings s;
  s.grid_size = 3;
  s.chat_world = true;
  s.chat_zone = true;
  s.chat_proximity = 1;
  auto mode = std::make_shared<modes::ModeConfig>();
  mode->chat_channels = {"lobby"};
  s.mode = mode;
  // A corner zone: the proximity square is clamped to the grid.
  EXPECT_EQ(AutoChatChannels("w", s, {0, 0}),
            (Channels{"world:w", "zone:w:0,0", "prox:w:0,0", "prox:w:1,0", "prox:w:0,1",
                      "prox:w:1,1", "global:lobby"}));
  s.chat_world = false;
  s.mode = nullptr;
  EXPECT_EQ(AutoChatChannels("w", s, {1, 1}).size(), 1u + 9u);
  s.chat_zone = false;
  s.chat_proximity = 0;
  EXPECT_EQ(AutoChatChannels("w", s, {2, 1}), (Channels{"prox:w:2,1"}));
}

WorldSettings Read(const char* chunk) {
  lua_State* L = luaL_newstate();
  EXPECT_EQ(luaL_dostring(L, chunk), 0) << chunk;
  WorldSettings s;
  ReadChatSettings(L, &s);
  EXPECT_EQ(lua_gettop(L), 0);
  lua_close(L);
  return s;
}

TEST(WorldChat, ReadsTheChatGlobal) {
  WorldSettings s = Read("chat = { world = true, zone = false, proximity = 1.7 }");
  EXPECT_TRUE(s.chat_world);
  EXPECT_FALSE(s.chat_zone);
  EXPECT_EQ(s.chat_proximity, 1);
  s = Read("chat = { zone = true, proximity = 1000 }");  // clamped
  EXPECT_FALSE(s.chat_world);
  EXPECT_TRUE(s.chat_zone);
  EXPECT_EQ(s.chat_proximity, kChatProximityMax);
  // Wrong types are off.
  for (const char* off : {"chat = 5", "chat = { world = 1, zone = 'yes', proximity = -1 }",
                          "chat = { proximity = 0/0 }", "x = 1"}) {
    s = Read(off);
    EXPECT_FALSE(s.chat_world) << off;
    EXPECT_FALSE(s.chat_zone) << off;
    EXPECT_EQ(s.chat_proximity, -1) << off;
  }
}

}  // namespace
}  // namespace asobi::world

#include "game/world/runtime/world_chat.h"

#include <algorithm>
#include <cmath>
#include <lua.hpp>
#include <utility>

#include "game/chat/chat_service.h"
#include "game/world/runtime/world_service.h"

namespace asobi::world {
namespace {

bool BoolField(lua_State* L, int table, const char* name) {
  lua_getfield(L, table, name);
  const bool on = lua_type(L, -1) == LUA_TBOOLEAN && lua_toboolean(L, -1);
  lua_pop(L, 1);
  return on;
}

std::string Coords(const std::string& world_id, int x, int y) {
  return world_id + ":" + std::to_string(x) + "," + std::to_string(y);
}

}  // namespace

void ReadChatSettings(lua_State* L, WorldSettings* s) {
  lua_pushstring(L, "chat");
  lua_rawget(L, LUA_GLOBALSINDEX);
  if (lua_istable(L, -1)) {
    const int t = lua_gettop(L);
    s->chat_world = BoolField(L, t, "world");
    s->chat_zone = BoolField(L, t, "zone");
    lua_getfield(L, t, "proximity");
    if (lua_type(L, -1) == LUA_TNUMBER) {
      const double r = lua_tonumber(L, -1);
      if (std::isfinite(r) && r >= 0)
        s->chat_proximity = int(std::min<double>(r, kChatProximityMax));
    }
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
}

std::vector<std::string> AutoChatChannels(const std::string& world_id, const WorldSettings& s,
                                          ZoneKey zone) {
  std::vector<std::string> out;
  if (s.chat_world) out.push_back("world:" + world_id);
  if (s.chat_zone) out.push_back("zone:" + Coords(world_id, zone.x, zone.y));
  if (s.chat_proximity >= 0) {
    const int r = s.chat_proximity, g = s.grid_size;
    for (int y = std::max(0, zone.y - r); y <= std::min(g - 1, zone.y + r); ++y) {
      for (int x = std::max(0, zone.x - r); x <= std::min(g - 1, zone.x + r); ++x) {
        out.push_back("prox:" + Coords(world_id, x, y));
      }
    }
  }
  if (s.mode) {
    for (const std::string& name : s.mode->chat_channels) out.push_back("global:" + name);
  }
  return out;
}

void PostAutoChat(match::MatchHost& host, ClientRef client, const std::string& world_id,
                  std::vector<std::string> channels) {
  if (client.shard < 0) return;
  host.SubmitReplyTo(client.shard, [client, world_id, channels = std::move(channels)] {
    WorldService* w = WorldService::OnThisShard();
    chat::ChatService* c = chat::ChatService::OnThisShard();
    if (w == nullptr || c == nullptr) return;
    const std::string* now = w->ClientWorld(client);
    if (now == nullptr || *now != world_id) return;  // left (or moved on) meanwhile
    c->SetAutoChannels(client, channels);
  });
}

void PostWorldChatRevoke(match::MatchHost& host, ClientRef client, const std::string& world_id) {
  if (client.shard < 0) return;
  host.SubmitReplyTo(client.shard, [client, world_id] {
    // The socket no longer holds a seat there (world ended, seat taken by another socket):
    // it stops being in that world on its shard too (chat.send's fast path, world.input).
    WorldService* w = WorldService::OnThisShard();
    const std::string* now = w ? w->ClientWorld(client) : nullptr;
    if (now != nullptr && *now == world_id) w->RemoveClientWorld(client);
    RevokeWorldChat(client, world_id);
  });
}

void RevokeWorldChat(const ClientRef& client, const std::string& world_id) {
  chat::ChatService* c = chat::ChatService::OnThisShard();
  if (c == nullptr) return;
  // A socket already in another world keeps that world's auto set.
  WorldService* w = WorldService::OnThisShard();
  const std::string* now = w ? w->ClientWorld(client) : nullptr;
  c->LeaveWorldChannels(client, world_id, now == nullptr || *now == world_id);
}

}  // namespace asobi::world

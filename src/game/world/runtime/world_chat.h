// World auto-chat (websocket.md §8.1, §8.4 with DECISIONS.md wire 4; docs/decisions.md "World
// chat"): the chat channels a world member's socket is subscribed to on its behalf, from the
// world script's `chat` global (`world`, `zone`, `proximity`) and the mode's `chat_channels`
// (`global:` names), and the hand-over of that set to the socket's shard (game/chat's
// ChatService::SetAutoChannels).
#pragma once

#include <string>
#include <vector>

#include "game/client.h"
#include "game/match/match_host.h"
#include "game/world/runtime/world_settings.h"

struct lua_State;

namespace asobi::world {

/// Largest accepted `chat.proximity` radius in zones ((2r+1)^2 `prox:` channels).
inline constexpr int kChatProximityMax = 2;

/// Reads the world state's `chat` global into `s` (`chat = {world = true, zone = true,
/// proximity = 1}`): booleans for `world`/`zone`, a number 0..2 (truncated, larger values
/// clamped) for `proximity`; anything else is off. World owner shard, at start.
void ReadChatSettings(lua_State* L, WorldSettings* s);

/// The channels a member in zone `zone` of `world_id` holds on its behalf: `world:<wid>`,
/// `zone:<wid>:<x>,<y>`, `prox:<wid>:<x>,<y>` for every zone within the radius (clamped to the
/// grid), then `global:<name>` for each of the mode's `chat_channels`. Empty when nothing is
/// configured. Pure.
std::vector<std::string> AutoChatChannels(const std::string& world_id, const WorldSettings& s,
                                          ZoneKey zone);

/// From the world's shard: hands `channels` to the shard of `client`, which applies them when
/// that socket is still in `world_id` (a set overtaken by world.leave is ignored). Never
/// dropped (a reply-path post).
void PostAutoChat(match::MatchHost& host, ClientRef client, const std::string& world_id,
                  std::vector<std::string> channels);

/// From the world's shard: `client` is no longer in `world_id`: its shard forgets that the
/// socket is in that world, drops the auto set and the world's `world:`/`zone:`/`prox:`
/// channels it joined itself. Never dropped.
void PostWorldChatRevoke(match::MatchHost& host, ClientRef client, const std::string& world_id);

/// On the socket's own shard (world.leave): the same, at once.
void RevokeWorldChat(const ClientRef& client, const std::string& world_id);

}  // namespace asobi::world

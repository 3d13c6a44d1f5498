// The `presence.update` WebSocket type (websocket.md §8.6): runs on the socket's shard, stores
// the status with the player's owner shard (PresenceService) and answers `presence.updated`.
#pragma once

#include <optional>
#include <string>

#include "game/game_shard.h"
#include "protocol/json_value.h"
#include "protocol/message_registry.h"

namespace asobi::presence {

/// The status of a `presence.update` payload (an object) as JSON text: `payload.status` of
/// any JSON type, `"online"` when absent; nullopt when its JSON text is longer than
/// kStatusBytesMax. Pure; any thread.
std::optional<std::string> StatusOf(JsonValue payload);

/// Registers `presence.update`. Call once at start-up.
void RegisterPresenceHandlers(MessageRegistry<WsContext>& registry);

}  // namespace asobi::presence

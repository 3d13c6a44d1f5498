// WebSocket handlers of the world family (websocket.md §10.1-§10.6) and the world runtime's
// connection hooks.
#pragma once

#include "game/game_shard.h"
#include "protocol/message_registry.h"

namespace asobi::world {

/// Registers world.list, world.create, world.find_or_create, world.join, world.leave and
/// world.input.
void RegisterWorldHandlers(MessageRegistry<WsContext>& registry);

/// A connection of this shard closed: its player leaves the world it joined through it (or
/// keeps the seat for the mode's reconnect_grace_ms).
void OnWorldClientClosed(Client& client);
/// A connection of this shard authenticated: a player in reconnection grace takes the seat
/// back through it and gets keyframes again.
void OnWorldClientAuthenticated(Client& client);

}  // namespace asobi::world

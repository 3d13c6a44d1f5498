// session.connect and session.heartbeat (websocket.md §2.2, §2.3).
#pragma once

#include "game/game_shard.h"
#include "protocol/message_registry.h"

namespace asobi {

/// Registers session.connect and session.heartbeat. Call once at start-up.
void RegisterSessionHandlers(MessageRegistry<WsContext>& registry);

}  // namespace asobi

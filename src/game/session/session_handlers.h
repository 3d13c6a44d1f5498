// session.connect and session.heartbeat (websocket.md §2.2, §2.3).
#pragma once

#include "game/game_shard.h"
#include "protocol/message_registry.h"

namespace asobi {

/// What the session handlers grant (from Config).
struct SessionOptions {
  /// Grant the binary world.tick wire to a session.connect that asks for it with
  /// `wire: "binary"` (`--binary-wire`, upstream `asobi.binary_wire`; websocket.md §2.2, §11).
  /// Off: every session gets "json".
  bool binary_wire = false;
};

/// Registers session.connect and session.heartbeat. Call once at start-up.
void RegisterSessionHandlers(MessageRegistry<WsContext>& registry,
                             const SessionOptions& options = {});

}  // namespace asobi

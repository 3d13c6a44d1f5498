// WebSocket `rpc.call` (websocket.md §9.1).
#pragma once

#include "game/game_shard.h"
#include "protocol/message_registry.h"

namespace asobi::rpc {

/// Registers `rpc.call` with no registry preconditions: the handler applies the nine checks of
/// §9.1 itself, in order, answering `rpc.ok` or `rpc.error` (never `error`).
void RegisterRpcHandlers(MessageRegistry<WsContext>& registry);

}  // namespace asobi::rpc

// WebSocket types of the chat domain (websocket.md §8.2-8.5): chat.join, chat.leave,
// chat.send, dm.send. Handlers run on the socket's shard and use its ChatService.
#pragma once

#include "game/game_shard.h"
#include "protocol/message_registry.h"

namespace asobi::chat {

/// Registers the four types. Call once at start-up.
void RegisterChatHandlers(MessageRegistry<WsContext>& registry);

}  // namespace asobi::chat

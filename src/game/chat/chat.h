// The chat domain's registration (issue 11 items 2-3; ARCHITECTURE.md "Adding a domain"):
// channels (websocket.md §8.1-8.4), DMs (§8.5), history over REST (rest.md §3.4), the
// per-shard ChatService and its metrics. See chat_service.h for the design.
#pragma once

#include <cstddef>

#include "game/chat/chat_acl.h"
#include "game/domain.h"

namespace asobi::chat {

/// Options from the server (src/server/domains.cc).
struct ChatOptions {
  /// Whether some mode declares `global:<name>` (its `chat_channels` global). Null: none is.
  GlobalDeclared global_declared;
  /// Whether a player is currently in a world (`world:`/`zone:`/`prox:` channels). Null: nobody
  /// is.
  WorldMember world_member;
  /// Whether a socket itself is in a world (chat.send's lock-free path). Null: never.
  SocketInWorld socket_in_world;
  /// Chat rows buffered per shard for chat_messages, in flight included (HistoryWriter);
  /// past it new rows are not stored (--chat-history-buffer-rows).
  size_t history_rows_max = 50000;
};

/// Registers the WebSocket types, the REST routes, the /metrics lines and the per-shard
/// ChatService (history only with a database). Register after the player directory (DMs
/// are delivered through GameShard::send_to_player). Call once, before the shards start.
void RegisterChat(DomainContext& ctx, ChatOptions options);

}  // namespace asobi::chat

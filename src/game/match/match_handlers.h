// The match family of WebSocket handlers (websocket.md §5): match.list, match.find_or_create,
// match.join, match.leave, match.input. They parse and validate on the client's shard and
// route the operation to the owner shard (match_router.h).
#pragma once

#include <string>

#include "game/game_shard.h"
#include "protocol/message_registry.h"

namespace asobi::match {

/// Registers the five match handlers (all need an authenticated socket).
void RegisterMatchHandlers(MessageRegistry<WsContext>& registry);

/// vote.cast / vote.veto from a socket in no match (websocket.md §7: the world the session is
/// in takes them). Called on the client's shard with the validated `vote_id` and, for a cast,
/// the `option_id` JSON (null for a veto); returns false when the socket is in no world either
/// (the caller answers not_in_match). Set once at registration, before the shards start.
using VoteFallback = bool (*)(WsContext& ctx, const Envelope& env, const std::string& vote_id,
                              const std::string* option_json);
void SetVoteFallback(VoteFallback fn);

/// The on_client_closed hook: a disconnected socket leaves its match (lua.md §3: disconnect
/// without a reconnect policy). Add to GameShard::on_client_closed on every shard.
void OnMatchClientClosed(Client& client);
/// The on_client_authenticated hook: a socket of a player whose match keeps a seat for them
/// (reconnect grace) is re-attached to that match.
void OnMatchClientAuthenticated(Client& client);

}  // namespace asobi::match

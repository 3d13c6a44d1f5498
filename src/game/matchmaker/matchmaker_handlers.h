// WebSocket handlers of the matchmaker family (websocket.md §6): matchmaker.add and
// matchmaker.remove, plus the disconnect hook that drops a closing socket's tickets.
#pragma once

#include "game/game_shard.h"
#include "game/matchmaker/matchmaker_types.h"
#include "protocol/json_value.h"
#include "protocol/message_registry.h"

namespace asobi::matchmaker {

/// Registers matchmaker.add and matchmaker.remove (need an authenticated socket and a payload
/// object). They use Matchmaker::OnThisShard(). Call once at start-up.
void RegisterMatchmakerHandlers(MessageRegistry<WsContext>& registry);

/// Adds the on_client_closed hook of `game` that drops the closing socket's pending tickets
/// (Matchmaker::OnClientClosed). Call on the shard, after its Matchmaker exists.
void AddMatchmakerCloseHook(GameShard& game);

/// Validation shared by WebSocket and REST: fills `req` (mode, properties, skill) from the
/// request object `body`. `mode` absent = "default". Errors (reason): invalid_payload (`mode`
/// not a string; `properties` not an object when `properties_must_be_object`, or over
/// kTicketPropertiesBytesMax encoded), unknown_mode (longer than 64 bytes). Whether the mode
/// exists is the caller's check. Any thread.
Status ParseAddRequest(JsonValue body, bool properties_must_be_object, AddRequest* req);

}  // namespace asobi::matchmaker

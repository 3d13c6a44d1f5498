// Sending a direct message (websocket.md §8.5, rest.md §3.4 POST /dm), shared by dm.send and
// POST /dm: validation, the block check (a friendships row player_id=recipient,
// friend_id=sender, status `blocked`), live delivery through the player directory
// (`dm.message`) and the dm: channel (`chat.message` to sockets that joined it), and history.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "game/game_shard.h"
#include "protocol/json_value.h"

namespace asobi::chat {

class ChatService;

/// Checks `payload` for `recipient_id` and `content`. Returns the reason ("" when valid):
/// `invalid_payload` (a field absent), `invalid_input` (not strings), `content_empty`,
/// `content_too_large` (> 2000 bytes). Pure.
std::string_view ValidateDm(JsonValue payload, std::string* recipient, std::string* content);

/// Sends a validated DM from `sender` on this shard. `done(reason, channel_id)` runs on this
/// shard: reason "" on success, `blocked`, or `not_ready` (database unavailable).
void SendDm(GameShard& game, ChatService& chat, const std::string& sender,
            const std::string& recipient, std::string content,
            std::function<void(std::string_view reason, const std::string& channel_id)> done);

}  // namespace asobi::chat

// ChatBackend: what `game.chat.send` (lua.md §9 Chat) needs from the chat domain. Implemented
// in game/chat (ChatLuaBackend) and installed per shard in ApiBackends::OnThisShard().chat.
// Runs on the calling shard; delivery and persistence are asynchronous.
#pragma once

#include <string>
#include <string_view>

namespace asobi::script::game_api {

/// Interface; the implementation is owned by the chat domain's per-shard state and reached
/// through ApiBackends::OnThisShard().chat (null: game.chat.send raises "chat is not available").
class ChatBackend {
 public:
  virtual ~ChatBackend() = default;
  /// Publishes `content` on `channel_id` as `sender_id` (not checked against membership).
  /// Returns "" when accepted, else the reason: `invalid_channel_id`, `content_too_large`.
  virtual std::string_view Send(std::string channel_id, std::string sender_id,
                                std::string content) = 0;
};

}  // namespace asobi::script::game_api

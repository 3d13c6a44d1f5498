// ChatLuaBackend: the game.chat.* backend (script/game_api/chat_backend.h) over the shard's
// ChatService. One per shard, installed by RegisterChat's start-up step; shard-affine.
#pragma once

#include "game/chat/chat_service.h"
#include "script/game_api/chat_backend.h"

namespace asobi::chat {

/// Owned by the chat domain's per-shard state; shard-affine.
class ChatLuaBackend final : public script::game_api::ChatBackend {
 public:
  /// `service` must outlive the backend.
  explicit ChatLuaBackend(ChatService& service) : service_(service) {}
  /// script::game_api::ChatBackend: game.chat.send (lua.md); "" on success, else the reason.
  std::string_view Send(std::string channel_id, std::string sender_id,
                        std::string content) override;

 private:
  ChatService& service_;
};

}  // namespace asobi::chat

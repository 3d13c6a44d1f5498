#include "game/chat/chat_lua_backend.h"

#include <utility>

#include "base/clock.h"
#include "game/chat/channel_id.h"

namespace asobi::chat {

std::string_view ChatLuaBackend::Send(std::string channel_id, std::string sender_id,
                                      std::string content) {
  std::optional<ChannelRef> parsed = ParseChannelId(channel_id);
  if (!parsed) return "invalid_channel_id";
  if (content.size() > kContentBytesMax) return "content_too_large";
  std::string type(ChannelTypeOf(parsed->kind));
  service_.Publish(ChatMessage{std::move(channel_id), std::move(type), std::move(sender_id),
                               std::move(content), UnixMs()},
                   true);
  return {};
}

}  // namespace asobi::chat

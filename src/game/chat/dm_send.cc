#include "game/chat/dm_send.h"

#include <utility>

#include "base/clock.h"
#include "base/uuid.h"
#include "db/pg_connection.h"
#include "game/chat/channel_id.h"
#include "game/chat/chat_service.h"
#include "protocol/frame.h"
#include "protocol/json_writer.h"

namespace asobi::chat {
namespace {

const db::Statement kBlocked("chat_dm_blocked",
                             "SELECT 1 FROM friendships WHERE player_id = $1 AND friend_id = $2 "
                             "AND status = 'blocked'",
                             {db::PgType::kUuid, db::PgType::kUuid});

void Deliver(GameShard& game, ChatService& chat, const std::string& sender,
             const std::string& recipient, std::string content, const std::string& channel) {
  int64_t now = UnixMs();
  JsonWriter w;
  w.BeginObject();
  w.Key("channel_id");
  w.String(channel);
  w.Key("sender_id");
  w.String(sender);
  w.Key("content");
  w.String(content);
  w.Key("sent_at");
  w.Int(now);
  w.EndObject();
  if (game.send_to_player)
    game.send_to_player(recipient, BuildFrame("dm.message", w.out(), nullptr));
  chat.Publish(ChatMessage{channel, "dm", sender, std::move(content), now}, true);
}

}  // namespace

std::string_view ValidateDm(JsonValue payload, std::string* recipient, std::string* content) {
  std::optional<JsonValue> r = GetField(payload, "recipient_id");
  std::optional<JsonValue> c = GetField(payload, "content");
  if (!r || !c) return "invalid_payload";
  std::optional<std::string_view> rs = GetString(payload, "recipient_id");
  std::optional<std::string_view> cs = GetString(payload, "content");
  if (!rs || !cs) return "invalid_input";
  if (cs->empty()) return "content_empty";
  if (cs->size() > kContentBytesMax) return "content_too_large";
  *recipient = std::string(*rs);
  *content = std::string(*cs);
  return {};
}

void SendDm(GameShard& game, ChatService& chat, const std::string& sender,
            const std::string& recipient, std::string content,
            std::function<void(std::string_view reason, const std::string& channel_id)> done) {
  std::string channel = DmChannelId(sender, recipient);
  // Only a player id can have a friendships row: anyone else cannot have blocked the sender.
  if (!IsCanonicalUuid(recipient) || !IsCanonicalUuid(sender)) {
    Deliver(game, chat, sender, recipient, std::move(content), channel);
    return done({}, channel);
  }
  if (chat.db() == nullptr) return done("not_ready", channel);
  GameShard* g = &game;
  chat.db()->Execute(kBlocked, {db::Param::Uuid(recipient), db::Param::Uuid(sender)},
                     [g, sender, recipient, content = std::move(content), channel,
                      done = std::move(done)](db::DbResult<db::PgResult> r) mutable {
                       if (!r.ok()) return done("not_ready", channel);
                       if (r.value().rows() > 0) return done("blocked", channel);
                       ChatService* chat = ChatService::OnThisShard();
                       if (chat == nullptr) return done("not_ready", channel);
                       Deliver(*g, *chat, sender, recipient, std::move(content), channel);
                       done({}, channel);
                     });
}

}  // namespace asobi::chat

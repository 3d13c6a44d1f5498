#include "game/chat/chat_routes.h"

#include <string>
#include <utility>

#include "db/pg_connection.h"
#include "game/chat/channel_id.h"
#include "game/chat/chat_acl.h"
#include "game/chat/chat_service.h"
#include "game/chat/dm_send.h"
#include "game/rest_util.h"
#include "http/query.h"
#include "protocol/json_writer.h"

namespace asobi::chat {
namespace {

#define CHAT_TS(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"

// The newest $2 rows of channel $1, returned oldest-first, as one JSON array.
const db::Statement kChannelHistory(
    "chat_channel_history",
    "SELECT coalesce(json_agg(json_build_object('id', m.id, 'channel_type', m.channel_type, "
    "'channel_id', m.channel_id, 'sender_id', m.sender_id, 'content', m.content, 'metadata', "
    "coalesce(m.metadata, '{}'::jsonb), 'sent_at', " CHAT_TS("m.sent_at") ") "
    "ORDER BY m.sent_at, m.id), '[]'::json)::text FROM (SELECT * FROM chat_messages "
    "WHERE channel_id = $1 ORDER BY sent_at DESC, id DESC LIMIT $2) m",
    {db::PgType::kText, db::PgType::kInt8});

// DM history items (rest.md §3.4): sender_id, content, sent_at in epoch ms.
const db::Statement kDmHistory(
    "chat_dm_history",
    "SELECT coalesce(json_agg(json_build_object('sender_id', m.sender_id, 'content', m.content, "
    "'sent_at', (extract(epoch FROM m.sent_at) * 1000)::bigint) ORDER BY m.sent_at, m.id), "
    "'[]'::json)::text FROM (SELECT * FROM chat_messages WHERE channel_id = $1 "
    "ORDER BY sent_at DESC, id DESC LIMIT $2) m",
    {db::PgType::kText, db::PgType::kInt8});

// Reads one history array and answers `{"messages":[...]<extra>}`.
void RespondHistory(HttpCall& c, const db::Statement& stmt, const std::string& channel,
                    int64_t limit, std::string extra) {
  ChatService* chat = ChatService::OnThisShard();
  if (chat == nullptr || chat->db() == nullptr) return RespondError(c, "not_ready");
  HttpCall* call = &c;
  chat->db()->Execute(stmt, {db::Param::Text(channel), db::Param::Int64(limit)},
                      [call, extra = std::move(extra)](db::DbResult<db::PgResult> r) {
                        if (!r.ok() || r.value().rows() != 1) {
                          return RespondError(*call, "not_ready");
                        }
                        std::string body = "{\"messages\":";
                        body.append(r.value().GetString(0, 0));
                        body.append(extra);
                        body.push_back('}');
                        RespondJson(*call, std::move(body));
                      });
}

void ChannelHistory(HttpCall& call) {
  std::string channel = http::PercentDecode(call.route.Param("channel_id"), false);
  int64_t limit = http::IntParam(call.request.query, "limit", 50, 1, 200);
  HttpCall* c = &call;
  WithPlayer(call, [c, channel, limit](const std::string& player_id) {
    std::optional<ChannelRef> parsed = ParseChannelId(channel);
    ChatService* chat = ChatService::OnThisShard();
    if (chat == nullptr) return RespondError(*c, "not_ready");
    if (!parsed) return RespondError(*c, "forbidden", "malformed channel id");
    CheckAccess(chat->db(), chat->acl(), player_id, channel, *parsed,
                [c, channel, limit](Access a) {
                  if (a == Access::kUnavailable) return RespondError(*c, "not_ready");
                  if (a == Access::kDenied) return RespondError(*c, "forbidden");
                  RespondHistory(*c, kChannelHistory, channel, limit, {});
                });
  });
}

// rest.md §3.4: 400 invalid_payload / dm.content_empty, 403 dm.blocked, 413
// dm.content_too_large.
std::string_view RestCode(std::string_view reason) {
  if (reason == "invalid_input") return "invalid_payload";
  if (reason == "content_empty") return "dm.content_empty";
  if (reason == "content_too_large") return "dm.content_too_large";
  if (reason == "blocked") return "dm.blocked";
  return reason;
}

void PostDm(HttpCall& call) {
  HttpCall* c = &call;
  WithPlayer(call, [c](const std::string& player_id) {
    JsonValue body;
    if (!ParseBody(*c, &body)) return;
    std::string recipient, content;
    std::string_view bad = ValidateDm(body, &recipient, &content);
    if (!bad.empty()) return RespondError(*c, RestCode(bad));
    ChatService* chat = ChatService::OnThisShard();
    if (chat == nullptr) return RespondError(*c, "not_ready");
    SendDm(c->game, *chat, player_id, recipient, std::move(content),
           [c](std::string_view reason, const std::string& channel) {
             if (!reason.empty()) return RespondError(*c, RestCode(reason));
             JsonWriter w;
             w.BeginObject();
             w.Key("success");
             w.Bool(true);
             w.Key("channel_id");
             w.String(channel);
             w.EndObject();
             RespondJson(*c, w.Take());
           });
  });
}

void DmHistory(HttpCall& call) {
  std::string other = http::PercentDecode(call.route.Param("player_id"), false);
  int64_t limit = http::IntParam(call.request.query, "limit", 50, 1, 200);
  HttpCall* c = &call;
  WithPlayer(call, [c, other, limit](const std::string& player_id) {
    std::string channel = DmChannelId(player_id, other);
    JsonWriter w;
    w.String(channel);
    RespondHistory(*c, kDmHistory, channel, limit, ",\"channel_id\":" + w.Take());
  });
}

}  // namespace

void RegisterChatRoutes(HttpApi& api) {
  api.Add("GET", "/api/v1/chat/:channel_id/history", &ChannelHistory);
  api.Add("POST", "/api/v1/dm", &PostDm);
  api.Add("GET", "/api/v1/dm/:player_id/history", &DmHistory);
}

}  // namespace asobi::chat

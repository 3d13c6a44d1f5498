// Chat moderation and operator notifications from the console (ops_console_edits.h;
// docs/decisions.md "Console edit routes").
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/json_escape.h"
#include "base/uuid.h"
#include "db/statement.h"
#include "game/notification/notification_service.h"
#include "game/ops/ops_console_edits.h"
#include "game/ops/ops_console_fields.h"
#include "game/ops/ops_guard.h"
#include "game/rest_util.h"

namespace asobi::ops {
namespace {

using db::PgType;

const db::Statement kDeleteChatMessage(
    "ops_console_chat_delete",
    "DELETE FROM chat_messages WHERE id = $1 RETURNING channel_id, sender_id::text",
    {PgType::kUuid});

std::string Quote(std::string_view s) {
  std::string out;
  AppendJsonString(&out, s);
  return out;
}

// DELETE /ops/chat/messages/:id → {"data":{"id","deleted":true}}. The row goes from
// chat_messages (what history reads serve); subscribers who already received the message keep
// their copy (no retraction frame exists in websocket.md).
void DeleteChatMessage(HttpCall& call) {
  WithOpsDb(call, kConfig, [&call](const OpsActor& actor, db::PgConnection& db) {
    std::string id(call.route.Param("id"));
    if (!IsCanonicalUuid(id)) return RespondError(call, "ops.invalid_id");
    HttpCall* c = &call;
    db::PgConnection* conn = &db;
    db::Params params;
    params.push_back(db::Param::Uuid(id));
    db.Execute(kDeleteChatMessage, std::move(params),
               [c, conn, actor, id](db::DbResult<db::PgResult> r) {
                 if (!r.ok()) return RespondDbError(*c, r.error());
                 if (r.value().rows() == 0) return RespondError(*c, "ops.not_found");
                 AuditEntry audit;
                 audit.action = "chat.messages.delete";
                 audit.target_type = "chat_message";
                 audit.target_id = id;
                 audit.details_json = "{\"channel_id\":" + Quote(r.value().GetString(0, 0)) +
                                      ",\"sender_id\":" + Quote(r.value().GetString(0, 1)) + "}";
                 RespondAudited(*c, *conn, actor, std::move(audit),
                                "{\"data\":{\"id\":" + Quote(id) + ",\"deleted\":true}}");
               });
  });
}

// POST /ops/notifications {player_id, type, subject, content?} → {"data":<row>}: stored
// and pushed as `notification.new` like a game's notification (NotificationService::Notify).
void SendNotification(HttpCall& call) {
  WithOpsDb(call, kConfig, [&call](const OpsActor& actor, db::PgConnection& db) {
    auto* service = notification::NotificationService::OnThisShard();
    if (service == nullptr) return RespondError(call, "not_ready");
    JsonValue body;
    if (!ParseBody(call, &body)) return;
    EditFields f(body);
    f.Uuid("player_id", true);
    f.Text("type", true);
    f.Text("subject", true);
    f.Object("content");
    if (!f.ok()) return f.RespondProblems(call);
    std::optional<JsonValue> content = GetField(body, "content");
    std::string player_id = f.TextOf("player_id");
    std::string type = f.TextOf("type");
    HttpCall* c = &call;
    db::PgConnection* conn = &db;
    service->Notify(
        {player_id}, type, f.TextOf("subject"), content ? ToJson(*content) : "{}",
        [c, conn, actor, player_id, type](Result<std::vector<notification::StoredNotification>> r) {
          if (!r.ok()) {
            if (r.error().reason == "not_ready") return RespondError(*c, "not_ready");
            return RespondError(*c, "ops.query_failed", "The ops query failed.");
          }
          if (r.value().empty()) return RespondError(*c, "ops.not_found");
          AuditEntry audit;
          audit.action = "notifications.send";
          audit.target_type = "player";
          audit.target_id = player_id;
          audit.details_json = "{\"type\":" + Quote(type) + "}";
          RespondAudited(*c, *conn, actor, std::move(audit),
                         "{\"data\":" + r.value().front().row_json + "}");
        });
  });
}

}  // namespace

void RegisterConsoleModerationRoutes(HttpApi& api) {
  api.Add("DELETE", "/ops/chat/messages/:id", &DeleteChatMessage);
  api.Add("POST", "/ops/notifications", &SendNotification);
}

}  // namespace asobi::ops

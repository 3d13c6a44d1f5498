#include "game/notification/notification_sql.h"

namespace asobi::notification::sql {
namespace {

using db::PgType;

#define NOTIF_JSON(p)                                                                              \
  "json_build_object('id', " p "id, 'player_id', " p "player_id, 'type', " p "type, 'subject', " p \
  "subject, 'content', coalesce(" p "content, '{}'::jsonb), 'read', " p                            \
  "read, 'sent_at', to_char(" p                                                                    \
  "sent_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'))"

}  // namespace

const db::Statement kList(
    "notification_list",
    "SELECT coalesce(json_agg(j ORDER BY sat DESC, id DESC), '[]'::json)::text FROM ("
    "SELECT " NOTIF_JSON("")
    " AS j, sent_at AS sat, id FROM notifications WHERE player_id = $1 "
    "AND ($2::boolean IS NULL OR read = $2) ORDER BY sent_at DESC, id DESC LIMIT $3) s",
    {PgType::kUuid, PgType::kBool, PgType::kInt4});

const db::Statement kMarkRead(
    "notification_mark_read",
    "WITH n AS (SELECT player_id FROM notifications WHERE id = $1), "
    "upd AS (UPDATE notifications SET read = true WHERE id = $1 AND player_id = $2 "
    "RETURNING " NOTIF_JSON("")
    " AS j) "
    "SELECT (SELECT player_id::text FROM n), (SELECT j::text FROM upd)",
    {PgType::kUuid, PgType::kUuid});

const db::Statement kDelete(
    "notification_delete",
    "WITH n AS (SELECT player_id FROM notifications WHERE id = $1), "
    "del AS (DELETE FROM notifications WHERE id = $1 AND player_id = $2 RETURNING id) "
    "SELECT (SELECT player_id::text FROM n), (SELECT count(*) FROM del)",
    {PgType::kUuid, PgType::kUuid});

const db::Statement kInsert(
    "notification_insert",
    "INSERT INTO notifications (id, player_id, type, subject, content, read, sent_at) "
    "SELECT (e->>'id')::uuid, pl.id, $2, $3, $4, false, now() "
    "FROM json_array_elements($1) e JOIN players pl ON pl.id = (e->>'p')::uuid "
    "RETURNING player_id::text, " NOTIF_JSON("") "::text",
    {PgType::kJson, PgType::kVarchar, PgType::kVarchar, PgType::kJsonb});

}  // namespace asobi::notification::sql

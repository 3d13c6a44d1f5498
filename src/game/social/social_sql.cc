#include "game/social/social_sql.h"

namespace asobi::social::sql {
namespace {

using db::PgType;

// RFC 3339 UTC with milliseconds (DECISIONS.md REST 1).
#define SOCIAL_TS(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"

#define FRIEND_JSON                                                                        \
  "json_build_object('id', id, 'player_id', player_id, 'friend_id', friend_id, 'status', " \
  "status, 'inserted_at', " SOCIAL_TS("inserted_at") ", 'updated_at', " SOCIAL_TS(         \
      "updated_at") ")"

#define GROUP_JSON                                                                        \
  "json_build_object('id', id, 'name', name, 'description', description, 'max_members', " \
  "max_members, 'open', open, 'creator_id', creator_id, 'metadata', coalesce(metadata, "  \
  "'{}'::jsonb), 'inserted_at', " SOCIAL_TS("inserted_at") ", 'updated_at', " SOCIAL_TS(  \
      "updated_at") ")"

#define MEMBER_JSON(p)                                                          \
  "json_build_object('id', " p "id, 'group_id', " p "group_id, 'player_id', " p \
  "player_id, 'role', " p "role, 'joined_at', " SOCIAL_TS(p "joined_at") ")"

// owner 100 > admin 75 > moderator 50 > member 0 (rest.md §3.3).
#define RANK(r)                                                                  \
  "(CASE " r                                                                     \
  " WHEN 'owner' THEN 100 WHEN 'admin' THEN 75 WHEN 'moderator' THEN 50 ELSE 0 " \
  "END)"

}  // namespace

const db::Statement kFriendsList(
    "social_friends_list",
    "SELECT coalesce(json_agg(j ORDER BY ins, id), '[]'::json)::text FROM ("
    "SELECT " FRIEND_JSON
    " AS j, inserted_at AS ins, id FROM friendships WHERE player_id = $1 "
    "AND ($2::varchar IS NULL OR status = $2) ORDER BY inserted_at, id LIMIT $3) s",
    {PgType::kUuid, PgType::kVarchar, PgType::kInt4});

const db::Statement kFriendRequest(
    "social_friend_request",
    "WITH target AS (SELECT id FROM players WHERE id = $3), "
    "existing AS (SELECT " FRIEND_JSON
    " AS j FROM friendships WHERE player_id = $2 AND friend_id = $3), "
    "ins AS (INSERT INTO friendships (id, player_id, friend_id, status, inserted_at, "
    "updated_at) SELECT $1, $2, $3, 'pending', now(), now() FROM target "
    "WHERE NOT EXISTS (SELECT 1 FROM existing) "
    "ON CONFLICT (player_id, friend_id) DO NOTHING RETURNING " FRIEND_JSON
    " AS j) "
    "SELECT (SELECT count(*) FROM target), (SELECT j::text FROM existing), "
    "(SELECT j::text FROM ins)",
    {PgType::kUuid, PgType::kUuid, PgType::kUuid});

const db::Statement kFriendUpdate("social_friend_update",
                                  "UPDATE friendships SET status = $3, updated_at = now() "
                                  "WHERE player_id = $1 AND friend_id = $2 RETURNING " FRIEND_JSON
                                  "::text",
                                  {PgType::kUuid, PgType::kUuid, PgType::kVarchar});

const db::Statement kFriendFind("social_friend_find",
                                "SELECT 1 FROM friendships WHERE player_id = $1 AND friend_id = $2",
                                {PgType::kUuid, PgType::kUuid});

const db::Statement kFriendDelete(
    "social_friend_delete",
    "DELETE FROM friendships WHERE player_id = $1 AND friend_id = $2 RETURNING id",
    {PgType::kUuid, PgType::kUuid});

const db::Statement kGroupInsert(
    "social_group_insert",
    "INSERT INTO groups (id, name, description, max_members, open, creator_id, metadata, "
    "inserted_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, '{}'::jsonb, now(), now()) "
    "RETURNING " GROUP_JSON "::text",
    {PgType::kUuid, PgType::kVarchar, PgType::kVarchar, PgType::kInt4, PgType::kBool,
     PgType::kUuid});

const db::Statement kMemberInsert(
    "social_member_insert",
    "INSERT INTO group_members (id, group_id, player_id, role, joined_at) "
    "VALUES ($1, $2, $3, $4, now())",
    {PgType::kUuid, PgType::kUuid, PgType::kUuid, PgType::kVarchar});

const db::Statement kGroupGet("social_group_get",
                              "SELECT " GROUP_JSON "::text FROM groups WHERE id = $1",
                              {PgType::kUuid});

const db::Statement kGroupUpdate(
    "social_group_update",
    "WITH g AS (SELECT id FROM groups WHERE id = $1), "
    "a AS (SELECT role FROM group_members WHERE group_id = $1 AND player_id = $2), "
    "upd AS (UPDATE groups SET name = coalesce($3, name), "
    "description = CASE WHEN $4 THEN $5 ELSE description END, "
    "max_members = coalesce($6, max_members), open = coalesce($7, open), updated_at = now() "
    "WHERE id = $1 AND EXISTS (SELECT 1 FROM a WHERE " RANK(
        "a.role") " >= 75) RETURNING " GROUP_JSON
                  " AS j) "
                  "SELECT (SELECT count(*) FROM g), (SELECT j::text FROM upd)",
    {PgType::kUuid, PgType::kUuid, PgType::kVarchar, PgType::kBool, PgType::kVarchar, PgType::kInt4,
     PgType::kBool});

const db::Statement kGroupLock("social_group_lock",
                               "SELECT id FROM groups WHERE id = $1 FOR UPDATE", {PgType::kUuid});

// Runs after kGroupLock in the same transaction: its snapshot sees every join that committed
// before the lock was granted, so the member count is exact.
const db::Statement kGroupJoin(
    "social_group_join",
    "WITH g AS (SELECT open, max_members FROM groups WHERE id = $2), "
    "m AS (SELECT 1 FROM group_members WHERE group_id = $2 AND player_id = $3), "
    "c AS (SELECT count(*) AS n FROM group_members WHERE group_id = $2), "
    "ins AS (INSERT INTO group_members (id, group_id, player_id, role, joined_at) "
    "SELECT $1, $2, $3, 'member', now() FROM g, c WHERE g.open AND NOT EXISTS (SELECT 1 FROM m) "
    "AND (g.max_members IS NULL OR c.n < g.max_members) "
    "ON CONFLICT (group_id, player_id) DO NOTHING RETURNING id) "
    "SELECT (SELECT count(*) FROM g), (SELECT open FROM g), (SELECT count(*) FROM m), "
    "(SELECT n FROM c), (SELECT max_members FROM g), (SELECT count(*) FROM ins)",
    {PgType::kUuid, PgType::kUuid, PgType::kUuid});

const db::Statement kGroupLeave("social_group_leave",
                                "DELETE FROM group_members WHERE group_id = $1 AND player_id = $2",
                                {PgType::kUuid, PgType::kUuid});

const db::Statement kGroupMembers(
    "social_group_members",
    "SELECT coalesce(json_agg(j ORDER BY jat, id), '[]'::json)::text FROM ("
    "SELECT " MEMBER_JSON("")
    " AS j, joined_at AS jat, id FROM group_members WHERE group_id = $1 "
    "ORDER BY joined_at, id LIMIT $2) s",
    {PgType::kUuid, PgType::kInt4});

const db::Statement kSetRole(
    "social_set_role",
    "WITH a AS (SELECT role FROM group_members WHERE group_id = $1 AND player_id = $2), "
    "t AS (SELECT role FROM group_members WHERE group_id = $1 AND player_id = $3), "
    "upd AS (UPDATE group_members m SET role = $4 FROM a, t "
    "WHERE m.group_id = $1 AND m.player_id = $3 AND " RANK("a.role") " >= 75 AND " RANK(
        "a.role") " > " RANK("$4::varchar") " AND " RANK("a.role") " > " RANK("t.role")
    " RETURNING " MEMBER_JSON("m.")
    " AS j) "
    "SELECT (SELECT role FROM a), (SELECT role FROM t), (SELECT j::text FROM upd)",
    {PgType::kUuid, PgType::kUuid, PgType::kUuid, PgType::kVarchar});

const db::Statement kKick(
    "social_kick",
    "WITH a AS (SELECT role FROM group_members WHERE group_id = $1 AND player_id = $2), "
    "t AS (SELECT role FROM group_members WHERE group_id = $1 AND player_id = $3), "
    "del AS (DELETE FROM group_members m USING a, t WHERE m.group_id = $1 AND m.player_id = $3 "
    "AND " RANK("a.role") " >= 50 AND " RANK("a.role") " > " RANK("t.role")
    " RETURNING m.id) "
    "SELECT (SELECT role FROM a), (SELECT role FROM t), (SELECT count(*) FROM del)",
    {PgType::kUuid, PgType::kUuid, PgType::kUuid});

const db::Statement kIsMember("social_is_member",
                              "SELECT 1 FROM group_members WHERE group_id = $1 AND player_id = $2",
                              {PgType::kUuid, PgType::kUuid});

const db::Statement kBlocks(
    "social_blocks",
    "SELECT 1 FROM friendships WHERE player_id = $1 AND friend_id = $2 AND status = 'blocked'",
    {PgType::kUuid, PgType::kUuid});

}  // namespace asobi::social::sql

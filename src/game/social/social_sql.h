// The social domain's prepared statements (rest.md §3.3, §5): friendships, groups and
// group_members. Rows leave PostgreSQL already encoded as JSON objects with the spec's column
// names, timestamps RFC 3339 UTC with milliseconds (DECISIONS.md REST 1), NULLs as null.
#pragma once

#include "db/statement.h"

namespace asobi::social::sql {

/// ($1 player id, $2 status or NULL, $3 limit) -> one row: JSON array of the player's
/// outgoing friendship rows, oldest first.
extern const db::Statement kFriendsList;
/// ($1 new id, $2 requester, $3 target) -> one row: (target players found, existing row JSON
/// or NULL, inserted row JSON or NULL). Both NULL with a target: a concurrent insert won.
extern const db::Statement kFriendRequest;
/// ($1 requester, $2 target, $3 status) -> the updated row JSON (no row: none exists).
extern const db::Statement kFriendUpdate;
/// ($1 requester, $2 target) -> one row per matching friendship (0 or 1).
extern const db::Statement kFriendFind;
/// ($1 player id, $2 friend id) -> one row per deleted friendship (0 or 1).
extern const db::Statement kFriendDelete;

/// ($1 group id, $2 name, $3 description or NULL, $4 max_members, $5 open, $6 creator) ->
/// the group row JSON.
extern const db::Statement kGroupInsert;
/// ($1 member row id, $2 group id, $3 player id, $4 role) -> no rows.
extern const db::Statement kMemberInsert;
/// ($1 group id) -> the group row JSON (no row: unknown group).
extern const db::Statement kGroupGet;
/// ($1 group id, $2 actor, $3 name or NULL, $4 set description, $5 description or NULL,
/// $6 max_members or NULL, $7 open or NULL) -> one row: (groups found, updated row JSON or
/// NULL when the actor ranks below admin).
extern const db::Statement kGroupUpdate;
/// ($1 group id) -> locks the group row until the transaction ends.
extern const db::Statement kGroupLock;
/// ($1 member row id, $2 group id, $3 player id) -> one row: (groups found, open, already a
/// member, member count, max_members, rows inserted).
extern const db::Statement kGroupJoin;
/// ($1 group id, $2 player id) -> no rows.
extern const db::Statement kGroupLeave;
/// ($1 group id, $2 limit) -> one row: JSON array of member rows, oldest member first.
extern const db::Statement kGroupMembers;
/// ($1 group id, $2 actor, $3 target, $4 new role) -> one row: (actor role or NULL, target
/// role or NULL, updated member row JSON or NULL).
extern const db::Statement kSetRole;
/// ($1 group id, $2 actor, $3 target) -> one row: (actor role or NULL, target role or NULL,
/// rows deleted).
extern const db::Statement kKick;

/// ($1 group id, $2 player id) -> one row when the player is a member of the group.
extern const db::Statement kIsMember;
/// ($1 recipient, $2 sender) -> one row when the recipient blocked the sender (rest.md §3.3:
/// the row player_id = recipient, friend_id = sender, status `blocked`).
extern const db::Statement kBlocks;

}  // namespace asobi::social::sql

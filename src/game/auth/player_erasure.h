// Player self-erasure (rest.md §3.2 POST /players/me/erase): one atomic statement deletes the
// player and every row that references them, guarded by the password hash read before the
// check, and records an ops_audit_entries row. Afterwards the player's cached tokens are
// evicted and their open sockets get `session_revoked` (DECISIONS.md wire 5).
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "base/result.h"
#include "db/pg_connection.h"
#include "game/auth/account_service.h"

namespace asobi {

/// The actor named by an erasure's ops_audit_entries row (action `players.erase`). Empty
/// id/display = the player themself (self-erasure); source is "player" then.
struct ErasureActor {
  std::string id;
  std::string display;
  std::string source = "player";
};

/// Shard-affine. Deletes `player_id` and every row that references them in one statement,
/// with the audit row of `actor`, provided the stored password hash still equals `hash`
/// (nullopt: the account has none). `done` gets true when erased (the caches, sessions and
/// erasure hooks are then cleared too), false when no such player (or the hash changed), or
/// the database error. Used by self-erasure and by the ops plane (rest.md §3.14).
void EraseRows(AccountService& accounts, db::PgConnection& db, const std::string& player_id,
               const std::optional<std::string>& hash, const ErasureActor& actor,
               std::function<void(db::DbResult<bool>)> done);

/// Shard-affine. `password` must be given iff the account has one. Errors:
/// missing_field, player.confirmation_failed (wrong password), player.credentials_changed
/// (the password changed meanwhile), unauthenticated (already gone), not_ready, internal.
/// `gone` as for AccountService::Register.
void ErasePlayer(AccountService& accounts, db::PgConnection& db, std::string player_id,
                 std::optional<std::string> password, std::function<void(Status)> done,
                 WorkerPool::CancelFlag gone = nullptr);

}  // namespace asobi

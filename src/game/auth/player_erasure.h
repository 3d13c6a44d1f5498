// Player self-erasure (rest.md §3.2 POST /players/me/erase): one atomic statement deletes the
// player and every row that references them, guarded by the password hash read before the
// check, and records an ops_audit_entries row. Afterwards the player's cached tokens are
// evicted and their open sockets get `session_revoked` (DECISIONS.md wire 5).
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "base/result.h"
#include "game/auth/account_service.h"

namespace asobi {

/// Shard-affine. `password` must be given iff the account has one. Errors:
/// missing_field, player.confirmation_failed (wrong password), player.credentials_changed
/// (the password changed meanwhile), unauthenticated (already gone), not_ready, internal.
/// `gone` as for AccountService::Register.
void ErasePlayer(AccountService& accounts, db::PgConnection& db, std::string player_id,
                 std::optional<std::string> password, std::function<void(Status)> done,
                 WorkerPool::CancelFlag gone = nullptr);

}  // namespace asobi

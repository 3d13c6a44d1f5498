// Prepared statements shared by the accounts code (players, stats and token rows).
#pragma once

#include "db/statement.h"

namespace asobi {

/// ($1 id, $2 username, $3 display_name, $4 hashed_password or NULL)
extern const db::Statement kInsertPlayer;
/// ($1 player id)
extern const db::Statement kInsertStats;
/// ($1 id, $2 user id, $3 token hash, $4 context, $5 family id or NULL)
extern const db::Statement kInsertToken;

}  // namespace asobi

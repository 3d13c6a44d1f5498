// The leaderboards' prepared statements (rest.md §3.7, §5 leaderboard_entries). Timestamps
// travel as Unix milliseconds; the routes format them.
#pragma once

#include "db/statement.h"

namespace asobi::leaderboard::sql {

/// Writes a batch of entries: ($1 JSON array of {"id","b","p","s","t"}: new row id, board id,
/// player id, score, updated_at ms). Rows of players that no longer exist are skipped; a row
/// never goes back to an older updated_at. No rows.
extern const db::Statement kUpsert;
/// ($1 board id, $2 limit) -> rows (player_id, score, updated_at ms): the first page of a
/// board's hydration, in rank order (score descending, then player id).
extern const db::Statement kHydrateFirst;
/// ($1 board id, $2 score, $3 player id, $4 limit) -> rows as kHydrateFirst: the page after
/// the key ($2, $3) in rank order.
extern const db::Statement kHydrateAfter;
/// ($1 board id, $2 limit) -> rows (player_id, score, updated_at ms, rank) by rank.
extern const db::Statement kTop;
/// ($1 board id, $2 player id, $3 range) -> rows (player_id, score, updated_at ms, rank): up
/// to `range` rows each side of the player, by rank; none when the player has no row.
extern const db::Statement kAround;

}  // namespace asobi::leaderboard::sql

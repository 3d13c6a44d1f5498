// The seasons' prepared statements (docs/seasons.md). Season rows leave PostgreSQL encoded as
// JSON: {id, name, starts_at, ends_at (Unix ms), status, leaderboards, rewards, config}, the
// status derived from the clock's $now (Unix ms): ended once archived and rewarded, else
// upcoming / active / ending by the window.
#pragma once

#include "db/statement.h"

namespace asobi::season::sql {

/// ($1 now ms, $2 status or NULL, $3 limit) -> one row: JSON array of seasons by starts_at.
extern const db::Statement kList;
/// ($1 now ms, $2 id) -> one row: the season as JSON; no rows when absent.
extern const db::Statement kGet;
/// ($1 now ms) -> the running season as JSON (starts_at <= now < ends_at, not ended); or none.
extern const db::Statement kCurrent;
/// ($1 season id, $2 board, $3 limit) -> one row: (season exists, JSON array of entries by
/// rank) of the archived standings.
extern const db::Statement kStandings;
/// ($1 season id, $2 board, $3 player id, $4 range) -> one row: (season exists, JSON array of
/// the archived entries ranked within `range` of the player's rank; empty without the player).
extern const db::Statement kStandingsAround;
/// () -> one row: true once the migrations created the tables the clock uses.
extern const db::Statement kTablesReady;
/// ($1 JSON array of {id, name, s, e, c, b, w}, $2 now ms) -> upserts the configured seasons;
/// seasons already ended keep their row; a new row for a season past its end is `ended` at once
/// (it never ran here: nothing to archive or reward).
extern const db::Statement kUpsert;
/// ($1 now ms) -> marks upcoming seasons whose window holds now active.
extern const db::Statement kActivate;
/// ($1 now ms) -> (id, ranked JSON, rewards JSON) of seasons past ends_at not yet ended.
extern const db::Statement kDue;
/// ($1 season id, $2 board) -> moves the board's entries from leaderboard_entries to
/// season_standings, ranked, once per (season, board): a second run changes nothing.
extern const db::Statement kArchive;
/// ($1 season id, $2 board, $3 deepest rank) -> (player id, rank) of archived standings.
extern const db::Statement kRanks;
/// ($1 season id) -> marks the season ended.
extern const db::Statement kFinish;

}  // namespace asobi::season::sql

// The statement behind GET /ops/players/:id/export (rest.md §3.14, class `player_data`).
#pragma once

#include "db/statement.h"

namespace asobi::ops {

/// Rows per section of an export; a player with more rows in any section gets 500
/// `ops.export_incomplete` instead of a silently cut export.
inline constexpr int kExportSectionRowsMax = 10000;

/// $1 player id, $2 section cap. One row: (export JSON object text or NULL when no such
/// player, the largest section's row count).
extern const db::Statement kExportPlayer;

}  // namespace asobi::ops

// SQL fragments shared by the ops statements (string-literal macros, so that each statement
// stays one literal). Paged list statements take $1 limit, $2 offset, $3 sort, $4 order
// (validated by ParsePage) and return one row: (total, json array text).
#pragma once

/// RFC 3339 UTC with milliseconds (DECISIONS.md REST 1); NULL stays NULL.
#define OPS_TS(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
/// One ORDER BY term pair for sort field `name` on expression `col` ($3 sort, $4 order).
#define OPS_ORD(name, col)                                                               \
  "CASE WHEN $3 = '" name "' AND $4 = 'asc' THEN " col " END ASC, CASE WHEN $3 = '" name \
  "' AND $4 = 'desc' THEN " col " END DESC, "
/// The standard paged-list tail: `rows` is a subquery alias of rows with a json column `j`.
#define OPS_AGG "coalesce(json_agg(j), '[]'::json)::text"

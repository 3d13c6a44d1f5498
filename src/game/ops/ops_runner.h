// Runs the ops plane's read statements and answers with their JSON (rest.md §1.4, §3.14).
#pragma once

#include <string>

#include "db/pg_connection.h"
#include "game/http_api.h"
#include "game/ops/ops_guard.h"

namespace asobi::ops {

/// Runs paged list `stmt` with $1-$4 from `page` followed by `filters`; the statement returns
/// one row (total, json array text). Answers `{"data":[…],"page":{…}}`. Shard-affine.
void RunList(HttpCall& call, db::PgConnection& db, const db::Statement& stmt, const Page& page,
             db::Params filters);

/// Runs lookup `stmt` (one row of JSON object text, or none) and answers `{"data":{…}}`, or
/// 404 `ops.not_found` when it returns no row or NULL. Shard-affine.
void RunLookup(HttpCall& call, db::PgConnection& db, const db::Statement& stmt, db::Params params);

/// A GET route that needs class `read`, the database and a paged list over `stmt` with the
/// given sort fields; `filters` turns the query into the statement's extra parameters, or
/// answers 400 itself and returns false.
using FilterFn = std::function<bool(HttpCall&, const Page&, db::Params*)>;
HttpHandler ListRoute(const db::Statement& stmt, std::vector<std::string> sorts, FilterFn filters,
                      std::string default_order = "desc");
/// A GET route `/…/:id` that needs class `read`: `:id` must be a canonical UUID (else 400
/// `ops.invalid_id`), then RunLookup(stmt, {id}).
HttpHandler UuidLookupRoute(const db::Statement& stmt);

}  // namespace asobi::ops

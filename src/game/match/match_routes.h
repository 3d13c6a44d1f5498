// REST routes of the match domain (rest.md §3.11): GET /api/v1/matches (finished match
// records), GET /api/v1/matches/live (the live listing), GET /api/v1/matches/:id (one record).
#pragma once

#include "game/http_api.h"

namespace asobi::match {

/// Registers the three routes. Each needs a player bearer token (WithPlayer); the record
/// routes read match_records through the shard's PostgreSQL connection.
void RegisterMatchRoutes(HttpApi& api);

}  // namespace asobi::match

// REST routes of resolved votes (rest.md §3.11): GET /api/v1/matches/:id/votes and
// GET /api/v1/votes/:id. Handlers run on the request's shard; the live-roster check goes to
// the match's owner shard.
#pragma once

#include "game/http_api.h"

namespace asobi::match {

/// Registers both routes (called from RegisterMatchRoutes).
void RegisterVoteRoutes(HttpApi& api);

}  // namespace asobi::match

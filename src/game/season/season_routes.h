// REST routes of the seasons (docs/seasons.md): GET /api/v1/seasons, /seasons/current,
// /seasons/:id, /seasons/:id/leaderboards/:leaderboard_id (archived standings) and
// /seasons/:id/leaderboards/:leaderboard_id/around/:player_id.
#pragma once

#include "game/http_api.h"

namespace asobi::season {

class SeasonService;

/// Sets the calling shard's service the routes use (null: they answer 503 `not_ready`).
void SetSeasonServiceOnThisShard(SeasonService* svc);

/// Adds the routes above (player bearer required, as every /api/v1 route).
void RegisterSeasonRoutes(HttpApi& api);

}  // namespace asobi::season

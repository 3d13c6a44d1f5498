// REST routes of the leaderboards (rest.md §3.7).
#pragma once

#include <memory>

#include "game/http_api.h"
#include "game/leaderboard/client_submit.h"

namespace asobi::leaderboard {

/// Adds GET /leaderboards/:id, GET /leaderboards/:id/around/:player_id and POST
/// /leaderboards/:id. `policy` says which boards accept client submits.
void RegisterLeaderboardRoutes(HttpApi& api, std::shared_ptr<const ClientSubmitPolicy> policy);

}  // namespace asobi::leaderboard

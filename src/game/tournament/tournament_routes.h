// REST routes of the tournaments (rest.md §3.8).
#pragma once

#include "game/http_api.h"

namespace asobi::tournament {

class TournamentService;

/// Sets the calling shard's service the routes use (null: they answer 503 `not_ready`).
void SetTournamentServiceOnThisShard(TournamentService* svc);

/// Adds GET /tournaments, GET /tournaments/:id and POST /tournaments/:id/join.
void RegisterTournamentRoutes(HttpApi& api);

}  // namespace asobi::tournament

// REST routes of worlds (rest.md §3.11): GET /api/v1/worlds, GET /api/v1/worlds/:id,
// POST /api/v1/worlds.
#pragma once

#include "game/http_api.h"

namespace asobi::world {

void RegisterWorldRoutes(HttpApi& api);

}  // namespace asobi::world

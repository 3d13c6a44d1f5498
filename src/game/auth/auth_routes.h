// REST routes of the accounts domain: /api/v1/auth/{register,login,refresh,logout} and
// /api/v1/players/:id (rest.md §3.1, §3.2).
#pragma once

#include "game/http_api.h"

namespace asobi {

/// Registers the auth and players routes. Call once at start-up.
void RegisterAuthRoutes(HttpApi& api);

}  // namespace asobi

// Route groups of the ops domain (rest.md §3.14), each registered by RegisterOps.
#pragma once

#include "game/http_api.h"

namespace asobi::ops {

/// GET /ops/players (q, guest, paging) and /ops/players/:id (wallets, items, saves, matches).
void RegisterPlayerReadRoutes(HttpApi& api);
/// GET /ops/players alone: keyset `cursor`, index-backed `q`, capped total (ops_player_list.cc).
void RegisterPlayerListRoute(HttpApi& api);
/// GET /ops/players/:id/export, POST /ops/players/:id/erase, POST /ops/players/guests/purge.
void RegisterPlayerDataRoutes(HttpApi& api);
/// Leaderboards, economy, chat, tournaments, notifications and the audit log (database reads).
void RegisterDataReadRoutes(HttpApi& api);
/// GET|POST|DELETE /console/session and POST /ops/tokens (credentials).
void RegisterCredentialRoutes(HttpApi& api);

}  // namespace asobi::ops

// The economy's REST routes (rest.md §3.5).
#pragma once

#include "game/http_api.h"

namespace asobi::economy {

/// Adds GET /wallets, GET /wallets/:currency/history, GET /store, POST /store/purchase,
/// GET /inventory and POST /inventory/consume (all under /api/v1, bearer auth).
void RegisterEconomyRoutes(HttpApi& api);

}  // namespace asobi::economy

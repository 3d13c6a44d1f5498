// The IAP REST routes (rest.md §3.6).
#pragma once

#include "game/http_api.h"

namespace asobi::iap {

/// Adds POST /api/v1/iap/apple and POST /api/v1/iap/google (bearer auth).
void RegisterIapRoutes(HttpApi& api);

}  // namespace asobi::iap

// REST `POST /api/v1/rpc/:method` (rest.md §3.12).
#pragma once

#include "game/http_api.h"

namespace asobi::rpc {

/// Registers the route. After the bearer check every answer is an `rpc.ok`/`rpc.error`
/// envelope: 200, 404 `rpc.unknown_method`, 400 `rpc.invalid_params`, 503 `not_ready`, the
/// handler's declared status, 500 `internal`.
void RegisterRpcRoutes(HttpApi& api);

}  // namespace asobi::rpc

// REST routes of the storage collections (rest.md §3.9 storage).
#pragma once

#include "game/http_api.h"

namespace asobi::saves {

class StorageService;

/// Sets the calling shard's service the routes use (null: they answer 503 `not_ready`).
void SetStorageServiceOnThisShard(StorageService* svc);
/// Adds GET /storage/:collection and GET/PUT/DELETE /storage/:collection/:key.
void RegisterStorageRoutes(HttpApi& api);

}  // namespace asobi::saves

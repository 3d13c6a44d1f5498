// REST routes of the cloud saves (rest.md §3.9).
#pragma once

#include "game/http_api.h"

namespace asobi::saves {

class SavesService;

/// Sets the calling shard's service the routes use (null: they answer 503 `not_ready`).
void SetSavesServiceOnThisShard(SavesService* svc);
/// Adds GET /saves, GET /saves/:slot and PUT /saves/:slot.
void RegisterSavesRoutes(HttpApi& api);

}  // namespace asobi::saves

// The cloud saves domain's registration (ARCHITECTURE.md "Adding a domain"): GET /saves,
// GET/PUT /saves/:slot (rest.md §3.9) on every shard with a database.
#pragma once

#include "game/domain.h"

namespace asobi::saves {

/// Registers the routes and the per-shard start-up step creating each shard's SavesService
/// (only with a database; otherwise the routes answer 503 `not_ready`). `enabled` false is
/// rest.md §3.9's `{storage,false}` (`--storage false`): every /saves route answers 404
/// `save.not_found` and every /storage route 404 `storage.not_found`, and no shard gets the
/// services or the game.storage backend (match states also leave `game.storage` out).
void RegisterSaves(DomainContext& ctx, bool enabled = true);

}  // namespace asobi::saves

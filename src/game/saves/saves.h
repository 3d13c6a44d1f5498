// The cloud saves domain's registration (ARCHITECTURE.md "Adding a domain"): GET /saves,
// GET/PUT /saves/:slot (rest.md §3.9) on every shard with a database.
#pragma once

#include "game/domain.h"

namespace asobi::saves {

/// Registers the routes and the per-shard start-up step creating each shard's SavesService
/// (only with a database; otherwise the routes answer 503 `not_ready`).
void RegisterSaves(DomainContext& ctx);

}  // namespace asobi::saves

// The economy domain's registration (ARCHITECTURE.md "Adding a domain"): wallets as a ledger,
// the store and inventories over REST (rest.md §3.5), the `game.economy` Lua backend (lua.md
// §9), and the per-shard EconomyService other domains use for grants and debits
// (EconomyService::OnThisShard() or GameShard::economy).
#pragma once

#include "game/domain.h"

namespace asobi::economy {

/// Options from Config (src/server/domains.cc). The economy has no flags of its own yet.
struct EconomyOptions {};

/// Registers the REST routes and a start-up step that creates each shard's EconomyService
/// (only when the shard has a database; otherwise the routes answer 503 `not_ready` and
/// `game.economy.*` answers `{error = "economy is not available"}`). Call once, before the
/// shards start.
void RegisterEconomy(DomainContext& ctx, const EconomyOptions& options);

}  // namespace asobi::economy

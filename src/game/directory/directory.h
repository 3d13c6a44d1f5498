// The player directory's registration (issue 11 item 1): a PlayerDirectory on every shard,
// fed by GameShard::on_client_authenticated / on_client_closed, behind
// GameShard::send_to_player, with its gauges on /metrics. See player_directory.h.
#pragma once

#include "game/domain.h"

namespace asobi::directory {

/// Registers the per-shard directory step and its metrics. Call once, before the shards start,
/// ahead of the domains that send to players.
void RegisterDirectory(DomainContext& ctx);

}  // namespace asobi::directory

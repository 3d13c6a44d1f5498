// Presence (websocket.md §8.6; issue 11 item 4; docs/decisions.md "Presence"): the
// `presence.update` type, each player's online state and status on its owner shard (fed by
// the player directory), `presence.changed` pushes to online accepted friends, and the
// per-friend presence that GET /friends adds (game/social).
#pragma once

#include "game/domain.h"

namespace asobi::presence {

/// Registers `presence.update`, a PresenceService on every shard (observing that shard's
/// PlayerDirectory) and the asobi_presence_* metrics. Call once before the shards start,
/// after directory::RegisterDirectory.
void RegisterPresence(DomainContext& ctx);

}  // namespace asobi::presence

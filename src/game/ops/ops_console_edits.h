// The ops routes the operator console needs beyond rest.md §3.14 (issue 15; docs/decisions.md
// "Console edit routes"). All are class `config`, take any ops credential (ops_guard.h) and
// write one ops_audit_entries row per change:
//   DELETE /ops/chat/messages/:id          remove a stored chat message
//   POST   /ops/economy/items              create an item definition
//   PUT    /ops/economy/items/:id          edit one (only the members given)
//   POST   /ops/economy/listings           create a store listing
//   PUT    /ops/economy/listings/:id       edit one (only the members given)
//   POST   /ops/notifications              store and push a notification to a player
// Handlers run on the connection's shard and use that shard's PostgreSQL connection.
#pragma once

#include "game/http_api.h"

namespace asobi::ops {

/// Adds the chat and notification routes above to `api`. Start-up only (before the shards).
void RegisterConsoleModerationRoutes(HttpApi& api);

/// Adds the item definition and store listing routes above to `api`. Start-up only.
void RegisterConsoleStoreRoutes(HttpApi& api);

}  // namespace asobi::ops

// The notification domain's registration (ARCHITECTURE.md "Adding a domain"): stored
// notifications over REST (rest.md §3.10), their live push as `notification.new`
// (websocket.md §8.7, through GameShard::send_to_player), and the backend of `game.notify` /
// `game.notify_many` (lua.md §9). Other domains store notifications through
// NotificationService::OnThisShard()->Notify.
#pragma once

#include "game/domain.h"

namespace asobi::notification {

/// Options from Config (src/server/domains.cc). No flags yet.
struct NotificationOptions {};

/// Registers the REST routes and a start-up step that creates each shard's
/// NotificationService and Lua backend (only with a database; otherwise the routes answer
/// 503 `not_ready` and game.notify `{error = "notifications are not available"}`). Call once,
/// before the shards start.
void RegisterNotifications(DomainContext& ctx, const NotificationOptions& options);

}  // namespace asobi::notification

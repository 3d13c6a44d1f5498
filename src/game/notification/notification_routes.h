// REST routes of notifications (rest.md §3.10). Each runs on the shard of the HTTP
// connection through that shard's NotificationService; without a database every route
// answers 503 `not_ready`.
#pragma once

#include "game/http_api.h"

namespace asobi::notification {

/// Adds GET /notifications, PUT /notifications/:id/read and DELETE /notifications/:id.
void RegisterNotificationRoutes(HttpApi& api);

}  // namespace asobi::notification

// REST routes of friends and groups (rest.md §3.3). Each runs on the shard of the HTTP
// connection through that shard's SocialService; without a database every route answers
// 503 `not_ready`.
#pragma once

#include "game/http_api.h"

namespace asobi::social {

/// Adds the twelve §3.3 routes to `api`. Call once, before the shards start.
void RegisterSocialRoutes(HttpApi& api);

}  // namespace asobi::social

// The OAuth REST routes (rest.md §3.1, §2.8).
#pragma once

#include "game/http_api.h"

namespace asobi::oauth {

/// Adds POST /api/v1/auth/oauth (no auth), POST /api/v1/auth/link and DELETE
/// /api/v1/auth/unlink (bearer auth). All in the `auth` rate bucket (rest.md §4.2).
void RegisterOauthRoutes(HttpApi& api);

}  // namespace asobi::oauth

// The social domain's registration (ARCHITECTURE.md "Adding a domain"): friends and groups
// over REST (rest.md §3.3) and the per-shard SocialService other domains use
// (SocialService::OnThisShard(): group membership for `room:` channels, friendship rows for
// DM blocking).
#pragma once

#include "game/domain.h"

namespace asobi::social {

/// Options from Config (src/server/domains.cc). The social domain has no flags yet.
struct SocialOptions {};

/// Registers the REST routes and a start-up step that creates each shard's SocialService
/// (only when the shard has a database; otherwise the routes answer 503 `not_ready`). Call
/// once, before the shards start.
void RegisterSocial(DomainContext& ctx, const SocialOptions& options);

}  // namespace asobi::social

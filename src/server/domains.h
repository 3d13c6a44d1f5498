// Domains: the one table of game-domain registrations (ARCHITECTURE.md "Adding a domain"). A
// new domain adds one line to RegisterDomains (src/server/domains.cc), building its options
// from Config; everything else about the domain lives in src/game/<domain>/.
#pragma once

#include "server/server_shard.h"

namespace asobi {

/// Creates ServerShared::domains, calls every domain's register function, and chains an
/// init_shard hook that runs their per-shard start-up steps on each shard (after the hooks
/// installed before this call: database, matches, matchmaker). Call once, before
/// Server::Start.
void RegisterDomains(ServerShared& shared);

}  // namespace asobi

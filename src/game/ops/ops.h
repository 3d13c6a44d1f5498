// The ops plane (rest.md §2.8 ops plane, §3.14; issue 15): operator credentials (secret,
// minted v1 tokens, console sessions), every ops read, player export/erasure, the guest
// purge, the audit log and game-defined extension actions. Routes live under /ops and
// /console/session; other files add ops routes through game/ops/ops_guard.h.
#pragma once

#include <memory>
#include <string>

#include "game/domain.h"
#include "game/modes/mode_registry.h"

namespace asobi::ops {

/// Settings of the ops domain, from the server's Config (fixed at start-up).
struct OpsOptions {
  std::string secret;        // --ops-secret; empty: every ops route answers 403 forbidden
  std::string token_secret;  // --ops-token-secret; empty (or < 32 bytes): no v1 tokens
  bool console = false;      // --console: /console/session answers (else 404 console.not_found)
  /// The node's feature flags as one JSON object, for GET /ops/features.
  std::string features_json = "{}";
  /// The current modes (and the `ops` extension script); may be null (no game directory).
  modes::ModeRegistry* modes = nullptr;
};

/// Registers every ops route and the per-shard extension-action runtime. Call once, on the
/// main thread, before the shards start; the credentials stay node-wide until exit.
void RegisterOps(DomainContext& ctx, OpsOptions options);

/// GET /ops/stats, /ops/matches[/:id], /ops/worlds[/:id], /ops/matchmaker, /ops/features.
void RegisterLiveRoutes(HttpApi& api, std::shared_ptr<const OpsOptions> opts);

}  // namespace asobi::ops

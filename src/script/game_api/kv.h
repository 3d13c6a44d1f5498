// game.kv.* (lua.md §18): node-local, in-memory key/value state scoped to the calling match
// (its instance id), lost on restart. Each shard holds the entries of the instances it runs
// (an instance never moves), so reads and writes are plain map operations on the shard thread;
// only the node-wide entry count is shared (one atomic). docs/decisions.md "Storage" (kv).
#pragma once

#include <cstdint>

namespace asobi::script::game_api {

/// Node-wide settings, set once at start-up before shards run (`--kv-ttl-seconds`, default
/// 3600: the expiry every write sets when the call gives none; `--kv-max-keys`, default
/// 100 000: live entries per node, past it writes of new keys answer `{error = "kv_full"}`).
void SetKvLimits(int64_t ttl_seconds, int64_t max_keys);

/// Entries currently counted against kv_max_keys on the node (expired ones not yet swept
/// included). Any thread.
int64_t KvEntryCount();

}  // namespace asobi::script::game_api

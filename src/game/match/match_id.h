// Match ids and their owner shard (docs/match_design.md "Ownership"): the owner is derivable from
// the id, so any shard routes `match.join {match_id}` without a directory lookup.
#pragma once

#include <string>
#include <string_view>

namespace asobi::match {

/// The shard that owns match `id` among `shard_count` shards: a 64-bit FNV-1a hash of the id
/// bytes modulo `shard_count`. Pure; any thread. Any string is accepted (unknown ids route
/// somewhere and are answered `match_not_found` there).
int OwnerShardOf(std::string_view id, int shard_count);

/// A new UUIDv7 whose owner is `shard`: draws ids until OwnerShardOf lands on it (about
/// `shard_count` draws). Any thread.
std::string NewMatchIdForShard(int shard, int shard_count);

}  // namespace asobi::match

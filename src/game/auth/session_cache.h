// SessionCache: per-shard access-token cache (rest.md §2.4), keyed by the token's storage
// hash, so authenticated REST calls and session.connect cost no database round trip on a hit.
// Positive entries live 60 s, negative 5 s. Invalidation bumps an epoch so a lookup that raced
// a revoke never re-caches the stale row. Shard-affine, bounded.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>

namespace asobi {

/// One per shard, owned by AccountService; shard-affine.
class SessionCache {
 public:
  /// TTLs in ms and the entry bound.
  struct Options {
    int64_t positive_ttl_ms = 60000;
    int64_t negative_ttl_ms = 5000;
    size_t max_entries = 200000;  // past it, expired entries are swept, then the cache clears
  };
  /// One cached token lookup; times are Unix ms (callers pass UnixMs()).
  struct Entry {
    std::string player_id;  // empty = negative entry (unknown, expired or banned)
    int64_t cached_until_ms = 0;
    int64_t token_expires_ms = 0;  // access token expiry (issue time + 60 min)
  };
  SessionCache() : SessionCache(Options{60000, 5000, 200000}) {}
  /// Empty cache with the given TTLs/bound.
  explicit SessionCache(Options opts) : opts_(opts) {}

  /// Cached answer for `token_hash` at `now_ms`: the entry (maybe negative), or nullopt.
  std::optional<Entry> Find(const std::string& token_hash, int64_t now_ms);
  /// Caches a lookup result started when epoch() was `epoch_at_start` (dropped if an
  /// invalidation happened since). Empty player_id caches a negative answer.
  void Put(const std::string& token_hash, std::string player_id, int64_t token_expires_ms,
           uint64_t epoch_at_start, int64_t now_ms);
  /// Forgets one token (logout).
  void EraseToken(const std::string& token_hash);
  /// Forgets every token of a player (upgrade, erase, ban).
  void ErasePlayer(const std::string& player_id);
  /// Invalidation counter (pass to Put), and entries held (negative and expired ones included).
  uint64_t epoch() const { return epoch_; }
  size_t size() const { return map_.size(); }

 private:
  void Sweep(int64_t now_ms);
  Options opts_;
  uint64_t epoch_ = 0;
  std::unordered_map<std::string, Entry> map_;
};

}  // namespace asobi

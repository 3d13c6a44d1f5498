#include "game/auth/session_cache.h"

namespace asobi {

std::optional<SessionCache::Entry> SessionCache::Find(const std::string& token_hash,
                                                      int64_t now_ms) {
  auto it = map_.find(token_hash);
  if (it == map_.end()) return std::nullopt;
  if (it->second.cached_until_ms <= now_ms ||
      (!it->second.player_id.empty() && it->second.token_expires_ms <= now_ms)) {
    map_.erase(it);
    return std::nullopt;
  }
  return it->second;
}

void SessionCache::Put(const std::string& token_hash, std::string player_id,
                       int64_t token_expires_ms, uint64_t epoch_at_start, int64_t now_ms) {
  if (epoch_at_start != epoch_) return;
  if (map_.size() >= opts_.max_entries) Sweep(now_ms);
  if (map_.size() >= opts_.max_entries) map_.clear();
  Entry e;
  bool positive = !player_id.empty();
  e.player_id = std::move(player_id);
  e.cached_until_ms = now_ms + (positive ? opts_.positive_ttl_ms : opts_.negative_ttl_ms);
  e.token_expires_ms = token_expires_ms;
  map_[token_hash] = std::move(e);
}

void SessionCache::EraseToken(const std::string& token_hash) {
  ++epoch_;
  map_.erase(token_hash);
}

void SessionCache::ErasePlayer(const std::string& player_id) {
  ++epoch_;
  for (auto it = map_.begin(); it != map_.end();) {
    if (it->second.player_id == player_id) {
      it = map_.erase(it);
    } else {
      ++it;
    }
  }
}

void SessionCache::Sweep(int64_t now_ms) {
  for (auto it = map_.begin(); it != map_.end();) {
    if (it->second.cached_until_ms <= now_ms) {
      it = map_.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace asobi

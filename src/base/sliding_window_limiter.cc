// Sliding-window rate limiting; see sliding_window_limiter.h.
#include "base/sliding_window_limiter.h"

#include <algorithm>

#include "base/check.h"

namespace asobi {
namespace {

constexpr size_t kBucketsPerAllow = 2;  // incremental eviction work per Allow() call

}  // namespace

SlidingWindowLimiter::SlidingWindowLimiter(Config config) : config_(config) {
  CHECK(config_.limit > 0);
  CHECK(config_.window_ms > 0);
  CHECK(config_.max_keys > 0);
}

void SlidingWindowLimiter::DropExpired(Stamps* stamps, int64_t now_ms) const {
  auto live = std::find_if(stamps->begin(), stamps->end(),
                           [&](int64_t t) { return now_ms - t < config_.window_ms; });
  stamps->erase(stamps->begin(), live);
}

bool SlidingWindowLimiter::Allow(std::string_view key, int64_t now_ms, int64_t* retry_after_ms) {
  SweepSomeBuckets(now_ms);
  auto it = keys_.find(key);
  if (it == keys_.end()) {
    if (keys_.size() >= config_.max_keys && !MakeRoom(now_ms)) {
      if (config_.overflow == Overflow::kAllow) return true;
      if (retry_after_ms) *retry_after_ms = config_.window_ms;
      return false;
    }
    it = keys_.emplace(std::string(key), Stamps{}).first;
  }
  Stamps& stamps = it->second;
  if (!stamps.empty()) now_ms = std::max(now_ms, stamps.back());  // keep stamps sorted
  DropExpired(&stamps, now_ms);
  if (stamps.size() >= size_t(config_.limit)) {
    if (retry_after_ms) *retry_after_ms = stamps.front() + config_.window_ms - now_ms;
    return false;
  }
  stamps.push_back(now_ms);
  return true;
}

void SlidingWindowLimiter::SweepSomeBuckets(int64_t now_ms) {
  size_t buckets = keys_.bucket_count();
  if (keys_.empty() || buckets == 0) return;
  for (size_t i = 0; i < kBucketsPerAllow; ++i) {
    size_t b = sweep_bucket_++ % buckets;
    // Erasing invalidates local iterators, so collect the expired keys of this bucket first.
    std::string_view expired[8];
    size_t n = 0;
    for (auto it = keys_.begin(b); it != keys_.end(b) && n < 8; ++it) {
      const Stamps& s = it->second;
      if (s.empty() || now_ms - s.back() >= config_.window_ms) expired[n++] = it->first;
    }
    for (size_t j = 0; j < n; ++j) keys_.erase(keys_.find(expired[j]));
  }
}

bool SlidingWindowLimiter::MakeRoom(int64_t now_ms) {
  if (now_ms < next_full_sweep_ms_) return false;
  next_full_sweep_ms_ = now_ms + std::max<int64_t>(1, config_.window_ms / 8);
  EvictExpired(now_ms);
  return keys_.size() < config_.max_keys;
}

void SlidingWindowLimiter::EvictExpired(int64_t now_ms) {
  std::erase_if(keys_, [&](const Map::value_type& kv) {
    return kv.second.empty() || now_ms - kv.second.back() >= config_.window_ms;
  });
}

}  // namespace asobi

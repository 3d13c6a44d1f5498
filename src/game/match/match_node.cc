#include "game/match/match_node.h"

#include "base/log.h"
#include "script/budget.h"

namespace asobi::match {
namespace {

constexpr int64_t kNodeLogLinesPerSecond = 300;

SlidingWindowLimiter::Config JoinConfig(const MatchOptions& o) {
  SlidingWindowLimiter::Config c;
  c.limit = o.join_limit;
  c.window_ms = o.join_window_ms;
  return c;
}

}  // namespace

MatchNode::MatchNode(MatchOptions options, modes::ModeRegistry* modes, int shard_count)
    : options_(options),
      modes_(modes),
      shard_count_(shard_count < 1 ? 1 : shard_count),
      lua_memory_(options.lua_node_max_bytes),
      loads_(std::make_unique<std::atomic<int64_t>[]>(size_t(shard_count_))),
      join_limiter_(JoinConfig(options)) {
  if (!script::BudgetStopsCompiledLoops() || !script::BudgetStopsLibraryCalls()) {
    // Debian's LuaJIT (-Dluajit=system): see third_party/luajit/README.md.
    LOG_WARN("lua budgets cannot stop compiled loops or long library calls with this LuaJIT")
        .KV("checkhook", script::BudgetStopsCompiledLoops())
        .KV("cpoll", script::BudgetStopsLibraryCalls());
  }
}

bool MatchNode::TryReserveMatch() {
  int64_t n = live_.fetch_add(1, std::memory_order_relaxed);
  if (n >= options_.match_max) {
    live_.fetch_sub(1, std::memory_order_relaxed);
    return false;
  }
  return true;
}

void MatchNode::ReleaseMatch() { live_.fetch_sub(1, std::memory_order_relaxed); }

void MatchNode::AddShardLoad(int shard, int delta) {
  if (shard >= 0 && shard < shard_count_) {
    loads_[size_t(shard)].fetch_add(delta, std::memory_order_relaxed);
  }
}

int64_t MatchNode::shard_load(int shard) const {
  return loads_[size_t(shard)].load(std::memory_order_relaxed);
}

int MatchNode::LeastLoadedShard() const {
  int best = 0;
  for (int i = 1; i < shard_count_; ++i) {
    if (shard_load(i) < shard_load(best)) best = i;
  }
  return best;
}

bool MatchNode::AllowJoin(const std::string& player_id, int64_t now_ms) {
  std::lock_guard<std::mutex> lock(join_mu_);
  return join_limiter_.Allow(player_id, now_ms);
}

void MatchNode::AddPlayer(const std::string& player_id) {
  std::lock_guard<std::mutex> lock(players_mu_);
  ++players_[player_id];
}

void MatchNode::RemovePlayer(const std::string& player_id, const std::string& match_id) {
  {
    std::lock_guard<std::mutex> lock(players_mu_);
    auto it = players_.find(player_id);
    if (it != players_.end() && --it->second <= 0) players_.erase(it);
  }
  if (seat_released) seat_released(player_id, match_id);
}

bool MatchNode::PlayerInMatch(const std::string& player_id) const {
  std::lock_guard<std::mutex> lock(players_mu_);
  return players_.count(player_id) != 0;
}

void MatchNode::SetReconnectable(const std::string& player_id, const std::string& match_id) {
  std::lock_guard<std::mutex> lock(grace_mu_);
  grace_[player_id] = match_id;
  grace_count_.store(int64_t(grace_.size()), std::memory_order_relaxed);
}

void MatchNode::ClearReconnectable(const std::string& player_id, const std::string& match_id) {
  std::lock_guard<std::mutex> lock(grace_mu_);
  auto it = grace_.find(player_id);
  if (it != grace_.end() && it->second == match_id) grace_.erase(it);
  grace_count_.store(int64_t(grace_.size()), std::memory_order_relaxed);
}

std::string MatchNode::ReconnectableMatchOf(const std::string& player_id) const {
  if (grace_count_.load(std::memory_order_relaxed) == 0) return {};
  std::lock_guard<std::mutex> lock(grace_mu_);
  auto it = grace_.find(player_id);
  return it == grace_.end() ? std::string() : it->second;
}

bool MatchNode::AllowNodeLog(int64_t now_ms) {
  int64_t start = log_window_start_ms_.load(std::memory_order_relaxed);
  if (now_ms - start >= 1000 &&
      log_window_start_ms_.compare_exchange_strong(start, now_ms, std::memory_order_relaxed)) {
    log_count_.store(0, std::memory_order_relaxed);
  }
  return log_count_.fetch_add(1, std::memory_order_relaxed) < kNodeLogLinesPerSecond;
}

}  // namespace asobi::match

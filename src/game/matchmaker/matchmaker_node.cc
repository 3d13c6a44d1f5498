#include "game/matchmaker/matchmaker_node.h"

#include "game/match/match_id.h"

namespace asobi::matchmaker {

MatchmakerNode::MatchmakerNode(MatchmakerOptions options, ModeLookup modes, int shard_count)
    : options_(options),
      modes_(std::move(modes)),
      shard_count_(shard_count < 1 ? 1 : shard_count),
      shards_(std::make_unique<std::atomic<Matchmaker*>[]>(size_t(shard_count_))) {}

void MatchmakerNode::Register(int shard, Matchmaker* mm) {
  if (shard >= 0 && shard < shard_count_) shards_[size_t(shard)].store(mm);
}

Matchmaker* MatchmakerNode::OnShard(int shard) const {
  if (shard < 0 || shard >= shard_count_) return nullptr;
  return shards_[size_t(shard)].load();
}

int MatchmakerNode::QueueShardOf(const std::string& mode) const {
  return match::OwnerShardOf(mode, shard_count_);
}

bool MatchmakerNode::TryReserveTicket() {
  int64_t n = pending_.fetch_add(1, std::memory_order_relaxed);
  if (n >= options_.queue_max) {
    pending_.fetch_sub(1, std::memory_order_relaxed);
    return false;
  }
  return true;
}

void MatchmakerNode::ReleaseTicket() { pending_.fetch_sub(1, std::memory_order_relaxed); }

std::vector<std::string> MatchmakerNode::Claim(const std::vector<std::string>& players,
                                               const InMatchCheck& in_match) {
  std::vector<std::string> unavailable;
  std::lock_guard<std::mutex> lock(claim_mu_);
  for (const std::string& p : players) {
    if (claimed_.count(p) || (in_match && in_match(p))) unavailable.push_back(p);
  }
  if (unavailable.empty()) claimed_.insert(players.begin(), players.end());
  return unavailable;
}

void MatchmakerNode::Unclaim(const std::vector<std::string>& players) {
  std::lock_guard<std::mutex> lock(claim_mu_);
  for (const std::string& p : players) claimed_.erase(p);
}

}  // namespace asobi::matchmaker

// MatchService: the quick-play coordinator of match.find_or_create (websocket.md §5.2). The
// shard OwnerShardOf(mode) runs a mode's requests one at a time: join the fullest joinable live
// match with room, else create one on the least-loaded shard and join it. Because the owner
// updates the directory before it replies, the next request sees the previous one's match, so
// concurrent callers converge.
#include "game/match/match_id.h"
#include "game/match/match_service.h"

namespace asobi::match {
namespace {

constexpr size_t kMaxAttempts = 8;

bool Retryable(const std::string& reason) {
  return reason == "match_full" || reason == "match_locked" || reason == "not_in_match" ||
         reason == "match_not_found";
}

}  // namespace

void MatchService::QuickPlay(QuickPlayRequest req, JoinDone done) {
  std::string mode = req.mode;
  auto& queue = quick_play_[mode];
  queue.push_back(PendingQuickPlay{std::move(req), std::move(done)});
  if (queue.size() == 1) RunQuickPlay(mode);
}

void MatchService::RunQuickPlay(const std::string& mode) { TryQuickPlay(mode, {}); }

void MatchService::TryQuickPlay(const std::string& mode, std::unordered_set<std::string> tried) {
  if (tried.size() >= kMaxAttempts) {
    QuickPlayDone(mode, JoinOutcome{"match_full", {}, {}, {}});
    return;
  }
  if (auto best = node_.directory().BestQuickPlay(mode, tried)) {
    QuickPlayJoin(mode, best->match_id, std::move(tried));
    return;
  }
  const int coordinator = host_.shard_id();
  const int target = node_.LeastLoadedShard();
  bool ok = host_.SubmitTo(target, [coordinator, mode, tried = std::move(tried)]() mutable {
    MatchService* s = MatchService::OnThisShard();
    if (s == nullptr) return;
    Result<std::string> id = s->Create(mode);
    s->host().SubmitReplyTo(coordinator, [mode, id = std::move(id),
                                          tried = std::move(tried)]() mutable {
      MatchService* c = MatchService::OnThisShard();
      if (c == nullptr) return;
      if (!id.ok()) {
        c->QuickPlayDone(
            mode,
            JoinOutcome{
                id.error().reason == "script_failed" ? "internal" : id.error().reason, {}, {}, {}});
        return;
      }
      c->QuickPlayJoin(mode, id.value(), std::move(tried));
    });
  });
  if (!ok) QuickPlayDone(mode, JoinOutcome{"internal", {}, {}, {}});
}

void MatchService::QuickPlayJoin(const std::string& mode, std::string match_id,
                                 std::unordered_set<std::string> tried) {
  auto it = quick_play_.find(mode);
  if (it == quick_play_.end() || it->second.empty()) return;
  JoinRequest req = it->second.front().req.join;
  req.match_id = match_id;
  req.rate_limit = false;  // counted once by the caller
  const int coordinator = host_.shard_id();
  const int owner = OwnerShardOf(match_id, host_.shard_count());
  auto on_joined = [coordinator, mode, match_id, tried](JoinOutcome o) mutable {
    MatchService* here = MatchService::OnThisShard();
    here->host().SubmitReplyTo(
        coordinator, [mode, match_id, tried = std::move(tried), o = std::move(o)]() mutable {
          MatchService* c = MatchService::OnThisShard();
          if (c == nullptr) return;
          if (!o.ok() && Retryable(o.reason)) {
            tried.insert(match_id);
            c->TryQuickPlay(mode, std::move(tried));
            return;
          }
          c->QuickPlayDone(mode, std::move(o));
        });
  };
  bool ok = host_.SubmitTo(owner, [req = std::move(req), on_joined]() mutable {
    if (MatchService* s = MatchService::OnThisShard()) s->Join(std::move(req), on_joined);
  });
  if (!ok) QuickPlayDone(mode, JoinOutcome{"internal", {}, {}, {}});
}

void MatchService::QuickPlayDone(const std::string& mode, JoinOutcome outcome) {
  auto it = quick_play_.find(mode);
  if (it == quick_play_.end() || it->second.empty()) return;
  PendingQuickPlay done = std::move(it->second.front());
  it->second.pop_front();
  const bool more = !it->second.empty();
  if (!more) quick_play_.erase(it);
  done.done(std::move(outcome));
  if (more) RunQuickPlay(mode);
}

}  // namespace asobi::match

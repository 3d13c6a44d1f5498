#include "game/match/match_router.h"

#include "base/check.h"
#include "game/match/match_id.h"

namespace asobi::match {
namespace {

MatchService& Local() {
  MatchService* s = MatchService::OnThisShard();
  CHECK(s != nullptr);
  return *s;
}

// Runs `fn(service)` on `shard`; false when the mailbox is full.
template <typename F>
bool OnShard(int shard, F fn) {
  return Local().host().SubmitTo(shard, [fn = std::move(fn)]() mutable {
    if (MatchService* s = MatchService::OnThisShard()) fn(*s);
  });
}

// Runs `fn(service)` on `shard`; never dropped (replies, cancellations, state changes).
template <typename F>
void OnShardReliably(int shard, F fn) {
  Local().host().SubmitReplyTo(shard, [fn = std::move(fn)]() mutable {
    if (MatchService* s = MatchService::OnThisShard()) fn(*s);
  });
}

// Wraps `done` so that it runs on the current shard when called on any other shard.
template <typename T>
std::function<void(T)> BackHere(std::function<void(T)> done) {
  const int home = Local().host().shard_id();
  return [home, done = std::move(done)](T value) {
    OnShardReliably(
        home, [done, value = std::move(value)](MatchService&) mutable { done(std::move(value)); });
  };
}

}  // namespace

void RouteJoin(JoinRequest req, JoinDone done) {
  const int owner = OwnerShardOf(req.match_id, Local().host().shard_count());
  JoinDone back = BackHere<JoinOutcome>(std::move(done));
  std::string id = req.match_id;
  if (!OnShard(owner, [req = std::move(req), back](MatchService& s) mutable {
        s.Join(std::move(req), back);
      })) {
    back(JoinOutcome{"internal", {}, {}, id});
  }
}

void RouteVoteVeto(const std::string& match_id, const std::string& player_id,
                   const std::string& vote_id, std::function<void(std::string)> done) {
  const int owner = OwnerShardOf(match_id, Local().host().shard_count());
  std::function<void(std::string)> back = BackHere<std::string>(std::move(done));
  if (!OnShard(owner, [match_id, player_id, vote_id, back](MatchService& s) {
        back(s.VetoVote(match_id, player_id, vote_id));
      })) {
    back("internal");
  }
}

void RouteIsMember(const std::string& match_id, const std::string& player_id,
                   std::function<void(bool)> done) {
  const int owner = OwnerShardOf(match_id, Local().host().shard_count());
  std::function<void(bool)> back = BackHere<bool>(std::move(done));
  if (!OnShard(owner, [match_id, player_id, back](MatchService& s) {
        Match* m = s.Find(match_id);
        bool member = false;
        if (m != nullptr) {
          for (const std::string& id : m->PlayerIds()) member = member || id == player_id;
        }
        back(member);
      })) {
    back(false);
  }
}

void RouteRosterJson(const std::string& match_id, std::function<void(std::string)> done) {
  const int owner = OwnerShardOf(match_id, Local().host().shard_count());
  std::function<void(std::string)> back = BackHere<std::string>(std::move(done));
  if (!OnShard(owner, [match_id, back](MatchService& s) {
        Match* m = s.Find(match_id);
        back(m != nullptr ? m->RosterJson() : std::string());
      })) {
    back(std::string());
  }
}

void RouteVoteCast(const std::string& match_id, const std::string& player_id,
                   const std::string& vote_id, std::string option_json,
                   std::function<void(std::string)> done) {
  const int owner = OwnerShardOf(match_id, Local().host().shard_count());
  std::function<void(std::string)> back = BackHere<std::string>(std::move(done));
  if (!OnShard(owner, [match_id, player_id, vote_id, option_json = std::move(option_json),
                       back](MatchService& s) {
        back(s.CastVote(match_id, player_id, vote_id, option_json));
      })) {
    back("internal");
  }
}

void RouteLeave(const std::string& match_id, const std::string& player_id) {
  const int owner = OwnerShardOf(match_id, Local().host().shard_count());
  OnShardReliably(owner, [match_id, player_id](MatchService& s) { s.Leave(match_id, player_id); });
}

void RouteDetach(const std::string& match_id, const std::string& player_id, const ClientRef& ref,
                 bool socket_closed) {
  const int owner = OwnerShardOf(match_id, Local().host().shard_count());
  OnShardReliably(owner, [match_id, player_id, ref, socket_closed](MatchService& s) {
    s.Detach(match_id, player_id, ref, socket_closed);
  });
}

void RouteReattach(const std::string& match_id, const std::string& player_id,
                   const ClientRef& ref) {
  const int owner = OwnerShardOf(match_id, Local().host().shard_count());
  OnShardReliably(
      owner, [match_id, player_id, ref](MatchService& s) { s.Reattach(match_id, player_id, ref); });
}

void RouteInput(const std::string& match_id, const std::string& player_id, std::string json,
                const ClientRef& from) {
  const int owner = OwnerShardOf(match_id, Local().host().shard_count());
  if (owner == Local().host().shard_id()) {
    Local().Input(match_id, player_id, std::move(json), from);
    return;
  }
  bool ok =
      OnShard(owner, [match_id, player_id, json = std::move(json), from](MatchService& s) mutable {
        s.Input(match_id, player_id, std::move(json), from);
      });
  if (!ok) Local().node().metrics().inputs_dropped.fetch_add(1, std::memory_order_relaxed);
}

void RouteQuickPlay(QuickPlayRequest req, JoinDone done) {
  const int coordinator = OwnerShardOf(req.mode, Local().host().shard_count());
  req.origin_shard = Local().host().shard_id();
  JoinDone back = BackHere<JoinOutcome>(std::move(done));
  if (!OnShard(coordinator, [req = std::move(req), back](MatchService& s) mutable {
        s.QuickPlay(std::move(req), back);
      })) {
    back(JoinOutcome{"internal", {}, {}, {}});
  }
}

void RouteCreate(const std::string& mode, int shard,
                 std::function<void(Result<std::string>)> done) {
  if (shard < 0) shard = Local().node().LeastLoadedShard();
  auto back = BackHere<Result<std::string>>(std::move(done));
  if (!OnShard(shard, [mode, back](MatchService& s) { back(s.Create(mode)); })) {
    back(MakeError("internal", "mailbox full"));
  }
}

}  // namespace asobi::match

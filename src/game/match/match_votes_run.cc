// Match: votes (lua.md §6, websocket.md §7) — tick step 5 (`vote_requested`), the pushes
// (match.vote_start / vote_tally / vote_result), casts, resolution at the end of the window
// plus the 50 ms grace (ready_up: as soon as every eligible voter cast), `vote_resolved`, and
// the `votes` row written once resolved (rest.md §3.11).
#include <sodium.h>

#include <algorithm>

#include "base/clock.h"
#include "base/log.h"
#include "db/pg_connection.h"
#include "game/match/failure_log.h"
#include "game/match/match.h"
#include "game/match/match_service.h"
#include "protocol/json_writer.h"

namespace asobi::match {
namespace {

thread_local simdjson::dom::parser t_cast_parser;

constexpr int64_t kVoteLogIntervalMs = 10000;

uint32_t RandomBelow(uint32_t n) { return randombytes_uniform(n); }

const db::Statement kInsertVote(
    "match_insert_vote",
    "INSERT INTO votes (id, match_id, template, method, options, votes_cast, result, "
    "distribution, turnout, eligible_count, window_ms, opened_at, closed_at, inserted_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, now())",
    {db::PgType::kVarchar, db::PgType::kUuid, db::PgType::kVarchar, db::PgType::kVarchar,
     db::PgType::kJsonb, db::PgType::kJsonb, db::PgType::kJsonb, db::PgType::kJsonb,
     db::PgType::kFloat8, db::PgType::kInt4, db::PgType::kInt4, db::PgType::kTimestamptz,
     db::PgType::kTimestamptz});

}  // namespace

void Match::RequestVote() {
  if (!script_->has_vote_requested() || broken_) return;
  std::string config_json;
  MatchScript::Outcome failure;
  const bool got = script_->RequestVote(&config_json, &failure);
  if (!failure.reason_class.empty()) {
    if (!CheckUnrecoverable(failure)) LogFailure("vote_requested", failure);
    return;
  }
  if (!got) return;
  Result<VoteConfig> config = ParseVoteConfig(config_json);
  const int64_t now = service_.host().NowMs();
  if (!config.ok()) {
    if (now - last_vote_log_ms_ >= kVoteLogIntervalMs) {
      last_vote_log_ms_ = now;
      LOG_WARN("lua vote_requested: vote not started")
          .KV("match_id", id_)
          .KV("script", script_base_)
          .KV("reason", config.error().reason)
          .KV("detail", CleanDetail(config.error().message));
    }
    return;
  }
  // A request for a vote that is already open (same id or same template) is the script not
  // disarming its trigger yet: one vote runs, not one per tick (docs/decisions.md "rounds").
  for (const OpenVote& v : votes_) {
    if (v.vote->id() == config.value().vote_id ||
        v.vote->config().template_name == config.value().template_name) {
      return;
    }
  }
  if (votes_.size() >= kOpenVotesMax) {
    if (now - last_vote_log_ms_ >= kVoteLogIntervalMs) {
      last_vote_log_ms_ = now;
      LOG_WARN("lua vote_requested: too many open votes").KV("match_id", id_);
    }
    return;
  }
  StartVote(std::move(config.value()));
}

void Match::StartVote(VoteConfig config) {
  const int64_t now = service_.host().NowMs();
  OpenVote v;
  v.window_end_ms = now + config.window_ms;
  const int64_t delay = config.window_ms + kVoteGraceMs;
  v.start_ms = now;
  v.vote = std::make_unique<Vote>(std::move(config), PlayerIds(), UnixMs());
  if (v.vote->config().method == "weighted") {
    std::vector<std::pair<std::string, double>> weights;
    for (const auto& [player, streak] : vote_losses_) {
      weights.emplace_back(player, FrustrationWeight(streak));
    }
    v.vote->SetWeights(std::move(weights));
  }
  outbox_.Add(EncodePush("match.vote_start", v.vote->StartJson()), AllClients());
  votes_.push_back(std::move(v));
  ArmVoteTimer(votes_.size() - 1, delay);
}

void Match::ArmVoteTimer(size_t index, int64_t delay_ms) {
  OpenVote& v = votes_[index];
  if (v.timer) service_.host().CancelTimer(v.timer);
  MatchService* svc = &service_;
  std::string match_id = id_;
  std::string vote_id = v.vote->id();
  v.timer = service_.host().AddTimer(delay_ms, [svc, match_id, vote_id] {
    if (Match* m = svc->Find(match_id)) m->ResolveVote(vote_id);
  });
}

std::string Match::CastVote(const std::string& player_id, const std::string& vote_id,
                            const std::string& option_json) {
  if (status_ == MatchStatus::kFinished || destroying_ || FindMember(player_id) == nullptr) {
    return "not_in_match";
  }
  if (status_ == MatchStatus::kWaiting) return "match_not_started";
  OpenVote* open = nullptr;
  for (OpenVote& v : votes_) {
    if (v.vote->id() == vote_id) open = &v;
  }
  if (open == nullptr) {
    for (const std::string& c : closed_votes_) {
      if (c == vote_id) return "vote_closed";
    }
    return "vote_not_found";
  }
  JsonValue option;
  if (t_cast_parser.parse(option_json).get(option) != simdjson::SUCCESS) return "invalid_option";
  std::string reason = open->vote->Cast(player_id, option);
  if (!reason.empty()) return reason;
  const int64_t now = service_.host().NowMs();
  if (open->vote->config().visibility == "live") {
    outbox_.Add(EncodePush("match.vote_tally", open->vote->TallyJson(open->window_end_ms - now)),
                AllClients());
  }
  const std::string& window = open->vote->config().window_type;
  if (window == "ready_up" && open->vote->AllVoted()) {
    ResolveVote(vote_id);  // flushes
    return {};
  }
  if (window == "adaptive" && open->vote->Decided()) {
    ResolveVote(vote_id);  // the rest of the voters can no longer change the result
    return {};
  }
  if (window == "hybrid" && open->vote->AllVoted()) {
    // Everyone voted: resolve now, but never before min_window_ms (lua.md §6).
    const int64_t earliest = open->start_ms + open->vote->config().min_window_ms;
    if (now >= earliest) {
      ResolveVote(vote_id);
      return {};
    }
    ArmVoteTimer(size_t(open - votes_.data()), earliest - now);
  }
  Flush();
  return {};
}

std::string Match::VetoVote(const std::string& player_id, const std::string& vote_id) {
  if (status_ == MatchStatus::kFinished || destroying_ || FindMember(player_id) == nullptr) {
    return "not_in_match";
  }
  if (status_ == MatchStatus::kWaiting) return "match_not_started";
  size_t i = 0;
  while (i < votes_.size() && votes_[i].vote->id() != vote_id) ++i;
  if (i == votes_.size()) {
    for (const std::string& c : closed_votes_) {
      if (c == vote_id) return "vote_closed";
    }
    return "vote_not_found";
  }
  if (!votes_[i].vote->IsEligible(player_id)) return "not_eligible";
  if (!votes_[i].vote->config().veto_enabled) return "veto_disabled";
  int* used = nullptr;
  for (auto& [p, n] : vetoes_used_) {
    if (p == player_id) used = &n;
  }
  const int tokens = service_.node().options().veto_tokens_per_player;
  if ((used != nullptr ? *used : 0) >= tokens) return "no_veto_tokens";
  if (used != nullptr) {
    ++*used;
  } else {
    vetoes_used_.emplace_back(player_id, 1);
  }
  OpenVote open = std::move(votes_[i]);
  votes_.erase(votes_.begin() + long(i));
  if (open.timer) service_.host().CancelTimer(open.timer);
  open.vote->Close();
  closed_votes_.push_back(vote_id);
  if (closed_votes_.size() > kClosedVotesKept) closed_votes_.pop_front();
  JsonWriter w;
  w.BeginObject();
  w.Key("vote_id");
  w.String(vote_id);
  w.Key("vetoed_by");
  w.String(player_id);
  w.EndObject();
  outbox_.Add(EncodePush("match.vote_vetoed", w.out()), AllClients());
  Flush();
  return {};
}

void Match::ResolveVote(const std::string& vote_id) {
  size_t i = 0;
  while (i < votes_.size() && votes_[i].vote->id() != vote_id) ++i;
  if (i == votes_.size()) return;
  OpenVote open = std::move(votes_[i]);
  votes_.erase(votes_.begin() + long(i));
  if (open.timer) service_.host().CancelTimer(open.timer);
  closed_votes_.push_back(vote_id);
  if (closed_votes_.size() > kClosedVotesKept) closed_votes_.pop_front();
  if (status_ == MatchStatus::kFinished || destroying_) return;
  const Vote& vote = *open.vote;
  VoteResult r = open.vote->Resolve(&RandomBelow);
  UpdateVoteLosses(vote.BallotOutcomes(r));
  outbox_.Add(EncodePush("match.vote_result", vote.ResultJson(r)), AllClients());
  PersistVote(vote, r, UnixMs());
  Flush();
  if (status_ != MatchStatus::kRunning) return;  // vote_resolved: running (or paused) only
  MatchScript::Call call{MatchScript::Kind::kVoteResolved, vote.config().template_name,
                         vote.CallbackJson(r)};
  auto run = [this, call] {
    if (status_ != MatchStatus::kRunning || broken_) return;
    RunCallback(call, [this](const MatchScript::Outcome& o) {
      if (!CheckUnrecoverable(o) && !o.ok) LogFailure("vote_resolved", o);
    });
    Flush();
  };
  if (busy_ || stage_ != TickStage::kIdle) {
    Defer(run);  // between ticks, never inside a suspended callback
  } else {
    run();
  }
}

void Match::UpdateVoteLosses(const std::vector<std::pair<std::string, bool>>& outcomes) {
  for (const auto& outcome : outcomes) {
    const std::string& player = outcome.first;
    const bool won = outcome.second;
    auto it = std::find_if(vote_losses_.begin(), vote_losses_.end(),
                           [&player](const auto& e) { return e.first == player; });
    if (it == vote_losses_.end()) {
      if (won || vote_losses_.size() >= kVoteLossesKept) continue;
      vote_losses_.emplace_back(player, 0);
      it = vote_losses_.end() - 1;
    }
    it->second = won ? 0 : std::min(it->second + 1, 1000);
  }
}

void Match::AbandonVotes() {
  for (OpenVote& v : votes_) {
    if (v.timer) service_.host().CancelTimer(v.timer);
  }
  votes_.clear();
}

void Match::PersistVote(const Vote& vote, const VoteResult& r, int64_t closed_unix_ms) {
  db::PgConnection* db = service_.host().db();
  if (db == nullptr) return;
  std::string result = vote.ResultJson(r);
  db::Params p;
  p.push_back(db::Param::Text(vote.id()));
  p.push_back(db::Param::Uuid(id_));
  p.push_back(db::Param::Text(vote.config().template_name));
  p.push_back(db::Param::Text(vote.config().method));
  p.push_back(db::Param::Jsonb(vote.config().options_json));
  p.push_back(db::Param::Jsonb(vote.VotesCastJson()));
  p.push_back(db::Param::Jsonb(result));
  p.push_back(db::Param::Jsonb(vote.DistributionJson(r.counts, r.counted)));
  p.push_back(db::Param::Float64(r.turnout));
  p.push_back(db::Param::Int32(vote.eligible_count()));
  p.push_back(db::Param::Int32(int32_t(vote.config().window_ms)));
  p.push_back(db::Param::TimestampMs(vote.opened_unix_ms()));
  p.push_back(db::Param::TimestampMs(closed_unix_ms));
  std::string id = vote.id();
  db->Execute(kInsertVote, std::move(p), [id](db::DbResult<db::PgResult> res) {
    if (!res.ok()) LOG_WARN("vote not written").KV("vote_id", id).KV("error", res.error().message);
  });
}

}  // namespace asobi::match

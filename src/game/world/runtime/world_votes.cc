// World: votes (lua.md §6 "Worlds", websocket.md §7) on the world's owner shard — `_vote` set
// by post_tick starts a vote (match::ParseVoteConfig; one vote per id or template while it is
// open), eligible = the world roster at start, world.vote_start / vote_tally / vote_result /
// vote_vetoed pushes (the match.* payloads), casts and vetoes, resolution at the end of the
// window plus the 50 ms grace (ready_up / adaptive / hybrid as for matches). Lua worlds get
// no vote_resolved (lua.md §6); world votes are not written to the `votes` table
// (docs/decisions.md "World phases and votes").
#include <sodium.h>

#include <algorithm>

#include "base/clock.h"
#include "base/log.h"
#include "game/match/match_service.h"
#include "game/world/runtime/world.h"
#include "game/world/runtime/world_service.h"
#include "protocol/frame.h"
#include "protocol/json_writer.h"
#include "ws/ws_codec.h"

namespace asobi::world {
namespace {

thread_local simdjson::dom::parser t_cast_parser;

constexpr int64_t kVoteLogIntervalMs = 10000;
constexpr size_t kClosedVotesKept = 64;

uint32_t RandomBelow(uint32_t n) { return randombytes_uniform(n); }

}  // namespace

void World::RequestVote(const std::string& config_json) {
  Result<match::VoteConfig> config = match::ParseVoteConfig(config_json);
  const int64_t now = service_.host().NowMs();
  if (!config.ok()) {
    if (now - vote_log_ms_ >= kVoteLogIntervalMs) {
      vote_log_ms_ = now;
      LOG_WARN("lua _vote: vote not started")
          .KV("world", id())
          .KV("reason", config.error().reason)
          .KV("detail", config.error().message);
    }
    return;
  }
  // The script not clearing `_vote` yet asks for the same vote again: one vote runs.
  for (const OpenVote& v : votes_) {
    if (v.vote->id() == config.value().vote_id ||
        v.vote->config().template_name == config.value().template_name) {
      return;
    }
  }
  if (std::find(closed_votes_.begin(), closed_votes_.end(), config.value().vote_id) !=
      closed_votes_.end()) {
    return;  // an explicit vote_id that already ran
  }
  if (votes_.size() >= kWorldOpenVotesMax) {
    if (now - vote_log_ms_ >= kVoteLogIntervalMs) {
      vote_log_ms_ = now;
      LOG_WARN("lua _vote: too many open votes").KV("world", id());
    }
    return;
  }
  std::vector<std::string> eligible;
  for (const auto& [player, m] : members_) eligible.push_back(player);
  OpenVote v;
  v.start_ms = now;
  v.window_end_ms = now + config.value().window_ms;
  const int64_t delay = config.value().window_ms + match::kVoteGraceMs;
  v.vote = std::make_unique<match::Vote>(std::move(config.value()), std::move(eligible), UnixMs());
  BroadcastEvent("vote_start", v.vote->StartJson());
  votes_.push_back(std::move(v));
  ArmVoteTimer(votes_.back(), delay);
}

void World::ArmVoteTimer(OpenVote& v, int64_t delay_ms) {
  if (v.timer != 0) service_.host().CancelTimer(v.timer);
  WorldService* svc = &service_;
  std::string world_id = id();
  std::string vote_id = v.vote->id();
  v.timer = service_.host().AddTimer(delay_ms, [svc, world_id, vote_id] {
    if (World* w = svc->FindWorld(world_id)) {
      for (OpenVote& o : w->votes_) {
        if (o.vote->id() == vote_id) o.timer = 0;  // fired
      }
      w->ResolveVote(vote_id);
    }
  });
}

World::OpenVote* World::FindOpenVote(const std::string& player_id, const std::string& vote_id,
                                     std::string* reason) {
  if (finished_ || members_.count(player_id) == 0) {
    *reason = "not_in_match";
    return nullptr;
  }
  if (listing_.status != "running") {
    *reason = "world_not_ready";
    return nullptr;
  }
  auto open = std::find_if(votes_.begin(), votes_.end(),
                           [&](const OpenVote& v) { return v.vote->id() == vote_id; });
  if (open != votes_.end()) return &*open;
  const bool closed =
      std::find(closed_votes_.begin(), closed_votes_.end(), vote_id) != closed_votes_.end();
  *reason = closed ? "vote_closed" : "vote_not_found";
  return nullptr;
}

std::string World::CastVote(const std::string& player_id, const std::string& vote_id,
                            const std::string& option_json) {
  std::string reason;
  OpenVote* open = FindOpenVote(player_id, vote_id, &reason);
  if (open == nullptr) return reason;
  JsonValue option;
  if (t_cast_parser.parse(option_json).get(option) != simdjson::SUCCESS) return "invalid_option";
  reason = open->vote->Cast(player_id, option);
  if (!reason.empty()) return reason;
  const int64_t now = service_.host().NowMs();
  if (open->vote->config().visibility == "live") {
    BroadcastEvent("vote_tally",
                   open->vote->TallyJson(std::max<int64_t>(0, open->window_end_ms - now)));
  }
  const std::string& window = open->vote->config().window_type;
  if ((window == "ready_up" && open->vote->AllVoted()) ||
      (window == "adaptive" && open->vote->Decided())) {
    ResolveVote(vote_id);
  } else if (window == "hybrid" && open->vote->AllVoted()) {
    const int64_t earliest = open->start_ms + open->vote->config().min_window_ms;
    if (now >= earliest) {
      ResolveVote(vote_id);
    } else {
      ArmVoteTimer(*open, earliest - now);
    }
  }
  return {};
}

std::string World::VetoVote(const std::string& player_id, const std::string& vote_id) {
  std::string reason;
  OpenVote* open = FindOpenVote(player_id, vote_id, &reason);
  if (open == nullptr) return reason;
  if (!open->vote->IsEligible(player_id)) return "not_eligible";
  if (!open->vote->config().veto_enabled) return "veto_disabled";
  match::MatchService* matches = match::MatchService::OnThisShard();
  const int tokens = matches ? matches->node().options().veto_tokens_per_player : 0;
  int& used = vetoes_used_[player_id];
  if (used >= tokens) {
    if (used == 0) vetoes_used_.erase(player_id);
    return "no_veto_tokens";
  }
  ++used;
  OpenVote v = std::move(*open);
  votes_.erase(votes_.begin() + (open - votes_.data()));
  if (v.timer != 0) service_.host().CancelTimer(v.timer);
  v.vote->Close();
  NoteClosedVote(vote_id);
  JsonWriter w;
  w.BeginObject();
  w.Key("vote_id");
  w.String(vote_id);
  w.Key("vetoed_by");
  w.String(player_id);
  w.EndObject();
  BroadcastEvent("vote_vetoed", w.Take());
  return {};
}

void World::ResolveVote(const std::string& vote_id) {
  auto open = std::find_if(votes_.begin(), votes_.end(),
                           [&](const OpenVote& v) { return v.vote->id() == vote_id; });
  if (open == votes_.end()) return;
  OpenVote v = std::move(*open);
  votes_.erase(open);
  if (v.timer != 0) service_.host().CancelTimer(v.timer);
  NoteClosedVote(vote_id);
  if (finished_) return;
  match::VoteResult r = v.vote->Resolve(&RandomBelow);
  BroadcastEvent("vote_result", v.vote->ResultJson(r));  // no vote_resolved for worlds
}

void World::NoteClosedVote(const std::string& vote_id) {
  closed_votes_.push_back(vote_id);
  if (closed_votes_.size() > kClosedVotesKept) closed_votes_.erase(closed_votes_.begin());
}

void World::AbandonVotes() {
  for (OpenVote& v : votes_) {
    if (v.timer != 0) service_.host().CancelTimer(v.timer);
  }
  votes_.clear();
}

}  // namespace asobi::world

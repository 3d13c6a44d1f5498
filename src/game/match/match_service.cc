#include "game/match/match_service.h"

#include <algorithm>

#include "base/log.h"
#include "game/match/match_id.h"

namespace asobi::match {
namespace {

thread_local MatchService* t_service = nullptr;

}  // namespace

MatchService::MatchService(MatchHost& host, MatchNode& node) : host_(host), node_(node) {
  SetOnThisShard(this);
}

MatchService::~MatchService() {
  for (auto& [id, m] : matches_) {
    node_.directory().Remove(id);
    node_.ReleaseMatch();
    node_.AddShardLoad(host_.shard_id(), -1);
  }
  matches_.clear();
  if (t_service == this) t_service = nullptr;
}

MatchService* MatchService::OnThisShard() { return t_service; }
void MatchService::SetOnThisShard(MatchService* s) { t_service = s; }

Result<std::string> MatchService::Create(const std::string& mode_name,
                                         const std::string& preset_id) {
  std::shared_ptr<const modes::ModeConfig> mode = node_.modes().Current()->Find(mode_name);
  if (!mode) return MakeError("not_found", "unknown mode " + mode_name);
  if (mode->is_world) return MakeError("wrong_mode_type", mode_name + " is a world mode");
  if (!node_.TryReserveMatch()) return MakeError("match_capacity_reached", "node match cap");
  if (!node_.lua_memory().AdmitNewState()) {  // docs/decisions.md "Node Lua memory"
    node_.ReleaseMatch();
    node_.metrics().matches_refused_memory.fetch_add(1, std::memory_order_relaxed);
    LOG_WARN("match refused: node Lua memory budget nearly used up")
        .KV("mode", mode_name)
        .KV("reserved_bytes", int64_t(node_.lua_memory().reserved_bytes()))
        .KV("max_bytes", int64_t(node_.lua_memory().max_bytes()));
    return MakeError("match_capacity_reached", "node Lua memory budget");
  }
  std::string id =
      preset_id.empty() ? NewMatchIdForShard(host_.shard_id(), host_.shard_count()) : preset_id;
  auto match = std::make_unique<Match>(*this, id, std::move(mode));
  Status st = match->Start();
  if (!st.ok()) {
    node_.ReleaseMatch();
    node_.directory().Remove(id);
    LOG_ERROR("match creation failed").KV("mode", mode_name).KV("reason", st.error().message);
    return st.error();
  }
  node_.AddShardLoad(host_.shard_id(), 1);
  node_.metrics().matches_created.fetch_add(1, std::memory_order_relaxed);
  matches_.emplace(id, std::move(match));
  return id;
}

Match* MatchService::Find(const std::string& match_id) {
  auto it = matches_.find(match_id);
  return it == matches_.end() ? nullptr : it->second.get();
}

void MatchService::Join(JoinRequest req, JoinDone done) {
  Match* m = Find(req.match_id);
  if (m == nullptr) {
    done(JoinOutcome{"match_not_found", {}, {}, req.match_id});
    return;
  }
  m->Join(std::move(req), std::move(done));
}

void MatchService::Leave(const std::string& match_id, const std::string& player_id) {
  if (Match* m = Find(match_id)) m->Leave(player_id);
}

void MatchService::Detach(const std::string& match_id, const std::string& player_id,
                          const ClientRef& ref, bool socket_closed) {
  if (Match* m = Find(match_id)) m->DetachClient(player_id, ref, socket_closed);
}

void MatchService::Reattach(const std::string& match_id, const std::string& player_id,
                            const ClientRef& ref) {
  if (Match* m = Find(match_id)) (void)m->Reattach(player_id, ref);
}

bool MatchService::Input(const std::string& match_id, const std::string& player_id,
                         std::string input_json, const ClientRef& from) {
  Match* m = Find(match_id);
  if (m == nullptr) return false;
  m->Input(player_id, std::move(input_json), from);
  return true;
}

std::string MatchService::CastVote(const std::string& match_id, const std::string& player_id,
                                   const std::string& vote_id, const std::string& option_json) {
  Match* m = Find(match_id);
  if (m == nullptr) return "not_in_match";
  return m->CastVote(player_id, vote_id, option_json);
}

std::string MatchService::VetoVote(const std::string& match_id, const std::string& player_id,
                                   const std::string& vote_id) {
  Match* m = Find(match_id);
  if (m == nullptr) return "not_in_match";
  return m->VetoVote(player_id, vote_id);
}

int MatchService::TakeTickPhase() {
  if (tick_phase_load_.empty()) {
    tick_phase_load_.assign(size_t(std::max(1, node_.options().tick_ms)), 0);
  }
  size_t best = 0;
  for (size_t i = 1; i < tick_phase_load_.size(); ++i) {
    if (tick_phase_load_[i] < tick_phase_load_[best]) best = i;
  }
  ++tick_phase_load_[best];
  return int(best);
}

void MatchService::ReleaseTickPhase(int phase) {
  if (phase >= 0 && size_t(phase) < tick_phase_load_.size() &&
      tick_phase_load_[size_t(phase)] > 0) {
    --tick_phase_load_[size_t(phase)];
  }
}

void MatchService::ScheduleDestroy(const std::string& match_id) {
  host_.AddTimer(0, [this, match_id] {
    auto it = matches_.find(match_id);
    if (it == matches_.end()) return;
    matches_.erase(it);
    node_.ReleaseMatch();
    node_.AddShardLoad(host_.shard_id(), -1);
  });
}

void MatchService::CompleteAsync(const std::string& match_id, uint64_t token,
                                 script::game_api::AsyncReply reply) {
  if (Match* m = Find(match_id)) m->OnAsyncReply(token, std::move(reply));
}

void MatchService::DeliverLocal(const ShardBatch& batch) {
  for (const Delivery& d : batch.deliveries) {
    for (const ClientRef& ref : d.to) {
      if (Client* c = host_.FindClient(ref)) c->SendEncoded(d.frame);
    }
  }
  for (const ClientRef& ref : batch.detach) clients_.ClearIf(ref, batch.match_id);
}

void MatchService::Deliver(std::vector<ShardBatch> batches) {
  for (ShardBatch& b : batches) {
    if (b.shard == host_.shard_id()) {
      DeliverLocal(b);
      continue;
    }
    int shard = b.shard;
    bool ok = host_.SubmitTo(shard, [b = std::move(b)] {
      if (MatchService* s = MatchService::OnThisShard()) s->DeliverLocal(b);
    });
    if (!ok) node_.metrics().frames_dropped.fetch_add(1, std::memory_order_relaxed);
  }
}

void MatchService::OnScriptsChanged(const modes::ChangedFiles& files) {
  for (auto& [id, m] : matches_) m->OnScriptsChanged(files);
}

}  // namespace asobi::match

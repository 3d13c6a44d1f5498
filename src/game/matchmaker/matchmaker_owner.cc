// Matchmaker, queue-owner side: tickets, passes, expiry, bot fill, group dispatch.
#include <sodium.h>

#include <algorithm>
#include <cstdio>

#include "base/clock.h"
#include "base/log.h"
#include "game/match/match_id.h"
#include "game/matchmaker/matchmaker.h"
#include "game/matchmaker/matchmaker_internal.h"
#include "game/matchmaker/matchmaker_wire.h"

namespace asobi::matchmaker {
namespace {

constexpr int kBotsPerQueueMax = 64;  // lua.md §10 target cap

bool ValidBotName(const std::string& name) {
  if (name.empty() || name.size() > 32) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

// `bot_<name>_<6 lowercase hex>` (lua.md §9 game.bots.add, §10).
std::string BotId(const std::string& name) {
  char hex[8];
  std::snprintf(hex, sizeof(hex), "%06x", unsigned(randombytes_uniform(1u << 24)));
  return "bot_" + name + "_" + hex;
}

}  // namespace

Matchmaker::OwnedQueue* Matchmaker::QueueFor(const ModeInfo& info) {
  auto it = queues_.find(info.name);
  if (it != queues_.end()) {
    // A reloaded mode with a new group size or strategy gets a fresh queue once it is empty.
    OwnedQueue& q = *it->second;
    bool changed = q.info.match_size != info.match_size || q.info.strategy != info.strategy;
    if (!changed || q.queue.size() > 0) {
      q.info.bot_target = info.bot_target;
      q.info.bot_names = info.bot_names;
      return &q;
    }
  }
  auto q = std::make_unique<OwnedQueue>(info, StrategyFor(info.strategy));
  OwnedQueue* raw = q.get();
  queues_[info.name] = std::move(q);
  return raw;
}

Result<AddReply> Matchmaker::AddOnOwner(AddRequest& req) {
  std::optional<ModeInfo> info = node_.FindMode(req.mode);
  if (!info || info->match_size <= 0) return MakeError("unknown_mode");
  OwnedQueue* q = QueueFor(*info);
  if (Ticket* existing = q->queue.FindByPlayer(req.player_id)) {
    if (req.client) {
      auto& c = existing->clients;
      if (std::find(c.begin(), c.end(), *req.client) == c.end()) c.push_back(*req.client);
    } else {
      existing->via_rest = true;
    }
    return AddReply{existing->id, q->info.match_size, true};
  }
  if (deps_.in_match && deps_.in_match(req.player_id)) return MakeError("already_in_match");
  if (!node_.TryReserveTicket()) return MakeError("queue_full");
  Ticket t;
  t.id = match::NewMatchIdForShard(host_.shard_id(), node_.shard_count());
  t.player_id = req.player_id;
  t.mode = req.mode;
  t.properties_json = std::move(req.properties_json);
  t.skill = req.skill;
  int64_t waited = std::max<int64_t>(0, req.waited_ms);
  t.submitted_unix_ms = UnixMs() - waited;
  t.submitted_mono_ms = host_.NowMs() - waited;
  if (req.client) t.clients.push_back(*req.client);
  t.via_rest = !req.client.has_value();  // forwarded tickets too: socket-less, they expire
  t.origin_node = std::move(req.origin_node);
  ticket_modes_[t.id] = t.mode;
  Ticket& added = q->queue.Add(std::move(t));
  node_.metrics().tickets_added.fetch_add(1, std::memory_order_relaxed);
  q->dirty = true;
  ScheduleEagerPass();
  return AddReply{added.id, q->info.match_size, false};
}

Status Matchmaker::RemoveOnOwner(const std::string& ticket_id, const std::string& player_id) {
  auto m = ticket_modes_.find(ticket_id);
  if (m == ticket_modes_.end()) return MakeError("not_found");
  auto q = queues_.find(m->second);
  Ticket* t = q == queues_.end() ? nullptr : q->second->queue.Find(ticket_id);
  if (t == nullptr) return MakeError("not_found");
  if (t->player_id != player_id) return MakeError("not_owner");
  Ticket removed = std::move(*q->second->queue.Remove(ticket_id));
  ReleaseTicket(removed);
  node_.metrics().tickets_removed.fetch_add(1, std::memory_order_relaxed);
  Send(removed.clients, std::string(), {removed.id});
  return Ok{};
}

Result<TicketStatus> Matchmaker::GetOnOwner(const std::string& ticket_id,
                                            const std::string& player_id) {
  auto m = ticket_modes_.find(ticket_id);
  if (m != ticket_modes_.end()) {
    auto q = queues_.find(m->second);
    if (q != queues_.end()) {
      if (const Ticket* t = q->second->queue.Find(ticket_id)) {
        if (t->player_id != player_id) return MakeError("not_owner");
        return TicketStatus{t->id, t->mode, "pending", t->properties_json, t->submitted_unix_ms,
                            ""};
      }
    }
  }
  auto r = resolved_.find(ticket_id);
  if (r == resolved_.end()) return MakeError("not_found");
  if (r->second.player_id != player_id) return MakeError("not_owner");
  return r->second.status;
}

void Matchmaker::DetachOnOwner(const std::string& ticket_id, const ClientRef& ref) {
  auto m = ticket_modes_.find(ticket_id);
  if (m == ticket_modes_.end()) return;
  auto q = queues_.find(m->second);
  Ticket* t = q == queues_.end() ? nullptr : q->second->queue.Find(ticket_id);
  if (t == nullptr) return;
  std::erase(t->clients, ref);
  if (!t->clients.empty() || t->via_rest) return;
  // Disconnect while queued: the ticket goes, silently (nobody is left to tell).
  Ticket removed = std::move(*q->second->queue.Remove(ticket_id));
  ReleaseTicket(removed);
  node_.metrics().tickets_removed.fetch_add(1, std::memory_order_relaxed);
}

void Matchmaker::ReleaseTicket(const Ticket& t) {
  if (t.bot) return;
  node_.ReleaseTicket();
  ticket_modes_.erase(t.id);
}

void Matchmaker::Resolve(const Ticket& t, std::string status, std::string match_id) {
  if (t.bot) return;
  Resolved& r = resolved_[t.id];
  r.status = TicketStatus{
      t.id, t.mode, std::move(status), t.properties_json, t.submitted_unix_ms, std::move(match_id)};
  r.player_id = t.player_id;
  r.drop_at_ms = host_.NowMs() + node_.options().resolved_keep_ms;
}

void Matchmaker::ScheduleEagerPass() {
  int delay = node_.options().eager_pass_ms;
  if (delay <= 0 || eager_timer_ != 0) return;
  eager_timer_ = host_.AddTimer(delay, [this] {
    eager_timer_ = 0;
    int64_t now = host_.NowMs();
    for (auto& [mode, q] : queues_) {
      if (q->dirty) Pass(*q, now);
    }
  });
}

void Matchmaker::TickNow() {
  int64_t now = host_.NowMs();
  for (auto& [mode, q] : queues_) {
    Expire(*q, now);
    Pass(*q, now);
  }
  std::erase_if(resolved_, [now](const auto& kv) { return kv.second.drop_at_ms <= now; });
}

void Matchmaker::Expire(OwnedQueue& q, int64_t now_ms) {
  ExpireOlderThan(q, now_ms, node_.options().max_wait_ms);
}

void Matchmaker::DropAllTickets() {
  const int64_t now_ms = host_.NowMs();
  for (auto& [mode, q] : queues_) ExpireOlderThan(*q, now_ms, -1);
}

void Matchmaker::ExpireOlderThan(OwnedQueue& q, int64_t now_ms, int64_t max_wait_ms) {
  for (Ticket& t : q.queue.TakeExpired(now_ms, max_wait_ms)) {
    if (t.bot) continue;
    ReleaseTicket(t);
    Resolve(t, "expired", "");
    node_.metrics().tickets_expired.fetch_add(1, std::memory_order_relaxed);
    if (t.via_rest && deps_.notify_player) {
      // Queued over REST: every socket of the player hears it, once (the directory).
      Send(t.clients, std::string(), {t.id});
      deps_.notify_player(t.player_id, ExpiredFrame(t.id));
    } else {
      Send(t.clients, ExpiredFrame(t.id), {t.id});
    }
  }
}

void Matchmaker::Pass(OwnedQueue& q, int64_t now_ms) {
  q.dirty = false;
  std::vector<std::vector<Ticket>> groups = q.queue.TakeGroups(now_ms);
  if (groups.empty()) return;
  std::vector<int64_t> assigned(size_t(node_.shard_count()), 0);
  for (auto& group : groups) {
    for (const Ticket& t : group) {
      ReleaseTicket(t);
      Resolve(t, "matched", "");
    }
    node_.metrics().groups_formed.fetch_add(1, std::memory_order_relaxed);
    if (ClusterQueue* c = node_.cluster()) {
      // Clustered: the least-loaded node places it (this one when it is the least loaded).
      std::string target = c->PickNode();
      if (!target.empty() && c->SendGroup(target, q.info.name, group)) {
        for (Ticket& t : group) {
          if (!t.bot) resolved_[t.id].sent = std::move(t);  // until the placer reports
        }
        continue;
      }
    }
    DispatchGroup(q.info.name, std::move(group), PickShard(&assigned));
  }
}

int Matchmaker::PickShard(std::vector<int64_t>* assigned) const {
  if (!deps_.shard_load) return host_.shard_id();
  int best = 0;
  int64_t best_load = INT64_MAX;
  for (int s = 0; s < node_.shard_count(); ++s) {
    int64_t load = deps_.shard_load(s) + (*assigned)[size_t(s)];
    if (load < best_load) {
      best = s;
      best_load = load;
    }
  }
  ++(*assigned)[size_t(best)];
  return best;
}

void Matchmaker::DispatchGroup(const std::string& mode, std::vector<Ticket> group, int target) {
  int here = host_.shard_id();
  if (target != here) {
    MatchmakerNode* node = &node_;
    // The group is moved into the task only if the mailbox takes it; on failure place here.
    auto shared = std::make_shared<std::vector<Ticket>>(std::move(group));
    bool ok = host_.SubmitTo(target, [node, target, mode, shared, here] {
      if (Matchmaker* mm = node->OnShard(target)) mm->EnqueuePlace(mode, std::move(*shared), here);
    });
    if (ok) return;
    group = std::move(*shared);
  }
  EnqueuePlace(mode, std::move(group), here);
}

void Matchmaker::RecordRemotePlacement(const std::string& mode, PlacementOutcome outcome,
                                       const std::string& match_id,
                                       std::vector<std::string> ticket_ids) {
  int queue_shard = node_.QueueShardOf(mode);
  MatchmakerNode* node = &node_;
  auto record = [node, queue_shard, outcome, match_id, ids = std::move(ticket_ids)] {
    Matchmaker* mm = node->OnShard(queue_shard);
    if (mm == nullptr) return;
    std::vector<Ticket> back;
    for (const std::string& id : ids) {
      auto it = mm->resolved_.find(id);
      if (it == mm->resolved_.end()) continue;
      std::optional<Ticket> sent = std::move(it->second.sent);
      it->second.sent.reset();
      if (outcome != PlacementOutcome::kRequeue) continue;
      if (sent) {
        back.push_back(std::move(*sent));
      } else {  // not kept (formed before this node owned the queue): told, not requeued
        Ticket t;
        t.id = id;
        t.player_id = it->second.player_id;
        mm->NotifyFailed(t, "match_start_failed");
      }
    }
    if (outcome == PlacementOutcome::kMatched) mm->RecordPlacement(match_id, {}, ids);
    if (outcome == PlacementOutcome::kFailed) mm->RecordPlacement("", ids, {});
    if (!back.empty()) mm->Requeue(std::move(back));
  };
  if (queue_shard == host_.shard_id()) {
    record();
  } else {
    host_.SubmitReplyTo(queue_shard, std::move(record));  // bounded by placed groups
  }
}

void Matchmaker::PlaceRemoteGroup(const std::string& mode, std::vector<Ticket> group) {
  std::vector<int64_t> assigned(size_t(node_.shard_count()), 0);
  int target = PickShard(&assigned);
  if (target == host_.shard_id()) {
    EnqueuePlace(mode, std::move(group), kRemoteQueue);
    return;
  }
  MatchmakerNode* node = &node_;
  // Bounded by the groups the owner forms (one message each); never dropped.
  host_.SubmitReplyTo(target, [node, target, mode, group = std::move(group)]() mutable {
    if (Matchmaker* mm = node->OnShard(target))
      mm->EnqueuePlace(mode, std::move(group), kRemoteQueue);
  });
}

void Matchmaker::FillBotsNow() {
  for (auto& [mode, q] : queues_) FillBots(*q);
}

void Matchmaker::FillBots(OwnedQueue& q) {
  int target =
      std::min({q.info.bot_target, q.info.max_players > 0 ? q.info.max_players : q.info.bot_target,
                kBotsPerQueueMax});
  if (target <= 0 || q.queue.humans() == 0 || q.queue.size() >= size_t(target)) return;
  int missing = target - int(q.queue.size());
  for (int k = 0; k < missing; ++k) {
    std::string name = size_t(k) < q.info.bot_names.size() ? q.info.bot_names[size_t(k)] : "";
    if (!ValidBotName(name)) name = std::to_string(k + 1);
    Ticket t;
    t.id = match::NewMatchIdForShard(host_.shard_id(), node_.shard_count());
    t.player_id = BotId(name);
    t.mode = q.info.name;
    t.submitted_unix_ms = UnixMs();
    t.submitted_mono_ms = host_.NowMs();
    t.bot = true;
    if (q.queue.FindByPlayer(t.player_id) != nullptr) continue;  // 1 in 2^24 clash
    q.queue.Add(std::move(t));
    node_.metrics().bots_queued.fetch_add(1, std::memory_order_relaxed);
  }
  Pass(q, host_.NowMs());
}

size_t Matchmaker::QueuedHere(const std::string& mode) const {
  auto it = queues_.find(mode);
  return it == queues_.end() ? 0 : it->second->queue.size();
}

}  // namespace asobi::matchmaker

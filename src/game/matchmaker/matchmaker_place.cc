// Matchmaker, placement side: runs on the shard chosen for the match.
#include <algorithm>
#include <memory>
#include <unordered_set>

#include "base/clock.h"
#include "base/log.h"
#include "game/match/match_id.h"
#include "game/matchmaker/matchmaker.h"
#include "game/matchmaker/matchmaker_internal.h"
#include "game/matchmaker/matchmaker_wire.h"

namespace asobi::matchmaker {
namespace {

std::vector<std::string> HumansOf(const std::vector<Ticket>& group) {
  std::vector<std::string> out;
  for (const Ticket& t : group) {
    if (!t.bot) out.push_back(t.player_id);
  }
  return out;
}

// Placement work per reactor turn before yielding to sockets and timers.
constexpr int64_t kPlaceSliceNs = 10'000'000;

}  // namespace

void Matchmaker::EnqueuePlace(const std::string& mode, std::vector<Ticket> group, int queue_shard) {
  placing_.push_back(PendingPlace{mode, std::move(group), queue_shard});
  SchedulePump();
}

void Matchmaker::SchedulePump() {
  if (pump_scheduled_) return;
  // SubmitTo this shard runs on the next reactor turn, after its I/O (a 0 ms timer would run
  // in the same turn).
  pump_scheduled_ = host_.SubmitTo(host_.shard_id(), [this] {
    pump_scheduled_ = false;
    PumpPlacements();
  });
  if (!pump_scheduled_) PumpPlacements();  // mailbox full: place now rather than never
}

void Matchmaker::PumpPlacements() {
  int64_t start = MonoNs();
  while (!placing_.empty() && MonoNs() - start < kPlaceSliceNs) {
    PendingPlace p = std::move(placing_.front());
    placing_.pop_front();
    Place(p.mode, std::move(p.group), p.queue_shard);
  }
  if (!placing_.empty()) SchedulePump();
}

void Matchmaker::Place(const std::string& mode, std::vector<Ticket> group, int queue_shard) {
  std::vector<std::string> humans = HumansOf(group);
  std::vector<std::string> busy = node_.Claim(humans, deps_.in_match);
  if (!busy.empty()) {
    // Someone is in a match (or being placed) already: drop their ticket quietly, put the
    // others back. Never a second match for anyone.
    DropBusy(std::move(group), busy, queue_shard);
    return;
  }
  if (!deps_.claim_seats || humans.empty()) {
    PlaceSeated(mode, std::move(group), queue_shard, std::move(humans), std::string());
    return;
  }
  // Clustered: the seats are claimed in the database under the match's future id, so that a
  // node that does not see this one (NATS cut off) cannot seat these players too.
  std::string match_id = match::NewMatchIdForShard(host_.shard_id(), host_.shard_count());
  MatchmakerNode* node = &node_;
  int self = host_.shard_id();
  auto shared = std::make_shared<std::vector<Ticket>>(std::move(group));
  deps_.claim_seats(
      humans, match_id,
      [node, self, mode, shared, queue_shard, humans,
       match_id](Result<std::vector<std::string>> held) mutable {
        Matchmaker* mm = node->OnShard(self);
        if (mm == nullptr) return;  // shutting down
        if (held.ok() && held.value().empty()) {
          mm->PlaceSeated(mode, std::move(*shared), queue_shard, std::move(humans), match_id);
          return;
        }
        node->Unclaim(humans);
        if (mm->deps_.release_seats) mm->deps_.release_seats(humans, match_id);
        if (held.ok()) {
          mm->DropBusy(std::move(*shared), held.value(), queue_shard);
          return;
        }
        // The database did not answer: nobody can be seated safely; the group is told.
        LOG_WARN("matchmaker seat claim failed").KV("mode", mode).KV("reason", held.error().reason);
        for (const Ticket& t : *shared) {
          if (!t.bot) mm->NotifyFailed(t, "match_start_failed");
        }
        std::vector<std::string> ids;
        for (const Ticket& t : *shared) {
          if (!t.bot) ids.push_back(t.id);
        }
        if (queue_shard == kRemoteQueue) {
          mm->ReportRemote(*shared, PlacementOutcome::kFailed, "", ids);
          return;
        }
        auto record = [node, queue_shard, ids] {
          if (Matchmaker* q = node->OnShard(queue_shard)) q->RecordPlacement("", ids, {});
        };
        if (queue_shard == self) {
          record();
        } else {
          mm->host_.SubmitReplyTo(queue_shard, std::move(record));
        }
      });
}

void Matchmaker::DropBusy(std::vector<Ticket> group, const std::vector<std::string>& busy,
                          int queue_shard) {
  std::unordered_set<std::string> out(busy.begin(), busy.end());
  std::vector<Ticket> back;
  std::vector<std::string> dropped;  // the busy players' tickets: GET reads `failed`
  Ticket origin;                     // where the group formed (ReportRemote reads these)
  if (!group.empty()) {
    origin.mode = group.front().mode;
    origin.queue_node = group.front().queue_node;
  }
  for (Ticket& t : group) {
    if (out.count(t.player_id)) {
      Send(t.clients, std::string(), {t.id});
      dropped.push_back(t.id);
    } else if (!t.bot) {
      back.push_back(std::move(t));
    }
  }
  if (queue_shard == kRemoteQueue) {
    // Formed on another node: it records the dropped tickets as failed and puts the others
    // back in its queue, with their wait.
    if (!dropped.empty()) ReportRemote({origin}, PlacementOutcome::kFailed, "", dropped);
    std::vector<std::string> ids;
    for (const Ticket& t : back) ids.push_back(t.id);
    if (!ReportRemote(back, PlacementOutcome::kRequeue, "", ids)) {
      for (const Ticket& t : back) NotifyFailed(t, "match_start_failed");  // that node is gone
    }
    return;
  }
  MatchmakerNode* node = &node_;
  auto requeue = [node, queue_shard, back = std::move(back), dropped]() mutable {
    Matchmaker* mm = node->OnShard(queue_shard);
    if (mm == nullptr) return;
    mm->RecordPlacement("", dropped, {});
    mm->Requeue(std::move(back));
  };
  if (queue_shard == host_.shard_id()) {
    requeue();
  } else {
    host_.SubmitReplyTo(queue_shard, std::move(requeue));
  }
}

void Matchmaker::PlaceSeated(const std::string& mode, std::vector<Ticket> group, int queue_shard,
                             std::vector<std::string> humans, std::string match_id) {
  if (!deps_.sockets_of) {
    AddProxies(group);
    PlaceClaimed(mode, std::move(group), queue_shard, std::move(humans), std::move(match_id));
    return;
  }
  // Every socket of each grouped player joins, not only the ones that queued (REST tickets).
  MatchmakerNode* node = &node_;
  int self = host_.shard_id();
  auto shared = std::make_shared<std::vector<Ticket>>(std::move(group));
  std::vector<std::string> lookup = humans;
  deps_.sockets_of(std::move(lookup), [node, self, mode, shared, queue_shard, humans, match_id](
                                          std::vector<std::vector<ClientRef>> sockets) mutable {
    Matchmaker* mm = node->OnShard(self);
    if (mm == nullptr) return;  // shutting down
    size_t k = 0;
    for (Ticket& t : *shared) {
      if (t.bot || k >= sockets.size()) continue;
      for (const ClientRef& ref : sockets[k++]) {
        if (std::find(t.clients.begin(), t.clients.end(), ref) == t.clients.end()) {
          t.clients.push_back(ref);
        }
      }
    }
    mm->AddProxies(*shared);
    mm->PlaceClaimed(mode, std::move(*shared), queue_shard, std::move(humans), std::move(match_id));
  });
}

void Matchmaker::AddProxies(std::vector<Ticket>& group) {
  ClusterQueue* c = node_.cluster();
  if (c == nullptr) return;
  std::vector<std::string> mine;
  for (Ticket& t : group) {
    if (t.origin_node == c->node_id()) mine.push_back(t.id);
    if (t.bot || t.origin_node.empty() || t.origin_node == c->node_id()) continue;
    // The player's sockets are on another node: a proxy client on this shard stands for them.
    ClientRef ref = c->ProxyFor(t.player_id, t.origin_node);
    if (std::find(t.clients.begin(), t.clients.end(), ref) == t.clients.end()) {
      t.clients.push_back(ref);
    }
  }
  if (!mine.empty()) c->TicketsPlaced(mine);
}

void Matchmaker::NotifyFailed(const Ticket& t, std::string_view reason) {
  std::string frame = FailedFrame(reason);
  if (!t.clients.empty()) {
    Send(t.clients, frame, {t.id});
  } else if (deps_.notify_player) {
    deps_.notify_player(t.player_id, frame);
  }
}

void Matchmaker::PlaceClaimed(const std::string& mode, std::vector<Ticket> group, int queue_shard,
                              std::vector<std::string> humans, std::string match_id) {
  std::vector<PlacedPlayer> players;
  players.reserve(group.size());
  for (const Ticket& t : group) players.push_back(PlacedPlayer{t.player_id, t.clients, t.bot});
  if (!deps_.place) {
    node_.Unclaim(humans);
    if (!match_id.empty() && deps_.release_seats) deps_.release_seats(humans, match_id);
    AfterPlace(mode, std::move(group), queue_shard, PlacementResult{"no_game_module", "", {}, {}});
    return;
  }
  auto shared = std::make_shared<std::vector<Ticket>>(std::move(group));
  deps_.place(mode, match_id, std::move(players),
              [this, mode, shared, queue_shard, humans, match_id](PlacementResult r) {
                node_.Unclaim(humans);
                if (!match_id.empty() && deps_.release_seats) {
                  // Seats of members the match did not accept (all of them when it did not
                  // start); the others are released when they leave the match.
                  std::unordered_set<std::string> in;
                  if (r.reason.empty()) in.insert(r.joined.begin(), r.joined.end());
                  std::vector<std::string> out;
                  for (const std::string& p : humans) {
                    if (!in.count(p)) out.push_back(p);
                  }
                  if (!out.empty()) deps_.release_seats(std::move(out), match_id);
                }
                AfterPlace(mode, std::move(*shared), queue_shard, std::move(r));
              });
}

void Matchmaker::AfterPlace(const std::string& mode, std::vector<Ticket> group, int queue_shard,
                            PlacementResult result) {
  std::unordered_set<std::string> joined(result.joined.begin(), result.joined.end());
  if (!result.reason.empty()) joined.clear();
  std::vector<ClientRef> matched_refs, failed_refs;
  std::vector<std::string> matched_ids, failed_ids, roster;
  for (const Ticket& t : group) {
    bool in = joined.count(t.player_id) > 0;
    if (in) roster.push_back(t.player_id);  // everyone the match accepted, bots included
    if (t.bot) continue;
    auto& refs = in ? matched_refs : failed_refs;
    refs.insert(refs.end(), t.clients.begin(), t.clients.end());
    (in ? matched_ids : failed_ids).push_back(t.id);
  }
  if (result.reason.empty()) {
    Send(std::move(matched_refs), MatchedFrame(result.match_id, roster), matched_ids, true);
  }
  if (!failed_ids.empty()) {
    node_.metrics().groups_failed.fetch_add(1, std::memory_order_relaxed);
    std::string reason = result.reason.empty() ? "match_start_failed" : result.reason;
    LOG_WARN("matchmaker placement failed").KV("mode", mode).KV("reason", reason);
    Send(std::move(failed_refs), FailedFrame(reason), failed_ids);
  }
  std::string match_id = result.reason.empty() ? result.match_id : std::string();
  if (queue_shard == kRemoteQueue) {  // the queue is on another node: tell it
    ReportRemote(group, PlacementOutcome::kMatched, match_id, matched_ids);
    ReportRemote(group, PlacementOutcome::kFailed, "", failed_ids);
    return;
  }
  MatchmakerNode* node = &node_;
  auto record = [node, queue_shard, match_id, failed_ids, matched_ids] {
    if (Matchmaker* mm = node->OnShard(queue_shard)) {
      mm->RecordPlacement(match_id, failed_ids, matched_ids);
    }
  };
  if (queue_shard == host_.shard_id()) {
    record();
  } else {
    host_.SubmitReplyTo(queue_shard, std::move(record));
  }
}

bool Matchmaker::ReportRemote(const std::vector<Ticket>& group, PlacementOutcome outcome,
                              const std::string& match_id,
                              const std::vector<std::string>& ticket_ids) {
  ClusterQueue* c = node_.cluster();
  if (c == nullptr || ticket_ids.empty() || group.empty() || group.front().queue_node.empty()) {
    return false;
  }
  return c->ReportPlacement(group.front().queue_node, group.front().mode, outcome, match_id,
                            ticket_ids);
}

void Matchmaker::RecordPlacement(const std::string& match_id,
                                 const std::vector<std::string>& failed,
                                 const std::vector<std::string>& matched) {
  for (const std::string& id : matched) {
    auto it = resolved_.find(id);
    if (it != resolved_.end()) it->second.status.match_id = match_id;
  }
  for (const std::string& id : failed) {
    auto it = resolved_.find(id);
    if (it != resolved_.end()) it->second.status.status = "failed";
  }
}

void Matchmaker::Requeue(std::vector<Ticket> tickets) {
  for (Ticket& t : tickets) {
    resolved_.erase(t.id);
    std::optional<ModeInfo> info = node_.FindMode(t.mode);
    OwnedQueue* q = info ? QueueFor(*info) : nullptr;
    if (q == nullptr || q->queue.FindByPlayer(t.player_id) != nullptr ||
        !node_.TryReserveTicket()) {
      NotifyFailed(t, "match_start_failed");  // sockets, or the directory (forwarded)
      continue;
    }
    ticket_modes_[t.id] = t.mode;
    q->queue.Add(std::move(t));
    q->dirty = true;
  }
  ScheduleEagerPass();
}

}  // namespace asobi::matchmaker

#include "game/presence/presence_service.h"

#include <map>
#include <unordered_set>
#include <utility>

#include "base/uuid.h"
#include "game/presence/presence_sql.h"
#include "protocol/json_writer.h"
#include "reactor/shard.h"

namespace asobi::presence {
namespace {

thread_local PresenceService* t_service = nullptr;

constexpr char kOnline[] = "\"online\"";

}  // namespace

std::string PresenceChangedFrame(const std::string& player_id, bool online,
                                 const std::string& status_json) {
  JsonWriter w;
  w.BeginObject();
  w.Key("type");
  w.String("presence.changed");
  w.Key("payload");
  w.BeginObject();
  w.Key("player_id");
  w.String(player_id);
  w.Key("online");
  w.Bool(online);
  w.Key("status");
  if (online) {
    w.Raw(status_json);
  } else {
    w.Null();
  }
  w.EndObject();
  w.EndObject();
  return w.Take();
}

PresenceService::PresenceService(PresenceNode& node, GameShard& game,
                                 directory::PlayerDirectory& dir, db::PgConnection* db)
    : node_(node), game_(game), dir_(dir), db_(db) {
  t_service = this;
  dir_.AddPresenceObserver(this);
}

PresenceService::~PresenceService() {
  *alive_ = false;
  dir_.RemovePresenceObserver(this);
  node_.online.fetch_sub(int64_t(status_.size()), std::memory_order_relaxed);
  node_.waiting.fetch_sub(int64_t(waiting_.size() + in_flight_count_), std::memory_order_relaxed);
  if (t_service == this) t_service = nullptr;
}

PresenceService* PresenceService::OnThisShard() { return t_service; }

int PresenceService::shard_count() const { return game_.shard->set().size(); }

void PresenceService::OnOnline(const std::string& player_id) {
  auto [it, inserted] = status_.try_emplace(player_id, kOnline);
  if (!inserted) return;
  node_.online.fetch_add(1, std::memory_order_relaxed);
  Enqueue(Change{player_id, true, it->second});
}

void PresenceService::OnOffline(const std::string& player_id) {
  if (status_.erase(player_id) == 0) return;
  node_.online.fetch_sub(1, std::memory_order_relaxed);
  Enqueue(Change{player_id, false, std::string()});
}

void PresenceService::Update(const std::string& player_id, std::string status_json,
                             std::function<void()> done) {
  int self = game_.shard->id();
  int owner = directory::DirectoryNode::OwnerShardOf(player_id, shard_count());
  // Same mailbox as the directory's registration of this socket, so the owner knows the
  // player online by the time this arrives (unless that mailbox overflowed).
  game_.shard->SubmitReplyTo(owner, [self, owner, player_id, status = std::move(status_json),
                                     done = std::move(done)]() mutable {
    if (PresenceService* p = PresenceService::OnThisShard()) p->Apply(player_id, std::move(status));
    if (owner == self) {
      done();
      return;
    }
    Shard::Current()->SubmitReplyTo(self, [done = std::move(done)] {
      if (PresenceService::OnThisShard() != nullptr) done();
    });
  });
}

void PresenceService::Apply(const std::string& player_id, std::string status_json) {
  auto it = status_.find(player_id);
  if (it == status_.end() || it->second == status_json) return;
  it->second = std::move(status_json);
  Enqueue(Change{player_id, true, it->second});
}

void PresenceService::Enqueue(Change c) {
  // Players that are not canonical UUIDs (dev tokens) have no friendship rows.
  if (db_ == nullptr || !IsCanonicalUuid(c.player_id)) return;
  if (waiting_.size() >= kWaitingMax) {
    node_.pushes_dropped.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  waiting_.push_back(std::move(c));
  node_.waiting.fetch_add(1, std::memory_order_relaxed);
  if (!in_flight_) Flush();
}

void PresenceService::Flush() {
  if (waiting_.empty()) return;
  size_t n = std::min(waiting_.size(), kBatchMax);
  auto batch = std::make_shared<std::vector<Change>>();
  batch->reserve(n);
  JsonWriter ids;
  ids.BeginArray();
  std::unordered_set<std::string> seen;
  for (size_t i = 0; i < n; ++i) {
    batch->push_back(std::move(waiting_.front()));
    waiting_.pop_front();
    if (seen.insert(batch->back().player_id).second) ids.String(batch->back().player_id);
  }
  ids.EndArray();
  in_flight_ = true;
  in_flight_count_ = batch->size();
  node_.queries.fetch_add(1, std::memory_order_relaxed);
  db_->Execute(sql::kAcceptedFriends, {db::Param::Json(ids.Take())},
               [this, alive = alive_, batch](db::DbResult<db::PgResult> r) {
                 if (!*alive) return;
                 in_flight_ = false;
                 in_flight_count_ = 0;
                 node_.waiting.fetch_sub(int64_t(batch->size()), std::memory_order_relaxed);
                 if (!r.ok()) {
                   node_.pushes_dropped.fetch_add(batch->size(), std::memory_order_relaxed);
                 } else {
                   std::unordered_map<std::string, std::vector<std::string>> friends;
                   for (const Change& c : *batch) friends.try_emplace(c.player_id);
                   for (int i = 0; i < r->rows(); ++i) {
                     std::string a(r->GetString(i, 0)), b(r->GetString(i, 1));
                     if (auto it = friends.find(a); it != friends.end()) it->second.push_back(b);
                     if (auto it = friends.find(b); it != friends.end()) it->second.push_back(a);
                   }
                   Push(*batch, friends);
                 }
                 Flush();
               });
}

void PresenceService::Push(
    const std::vector<Change>& batch,
    const std::unordered_map<std::string, std::vector<std::string>>& friends) {
  for (const Change& c : batch) {
    node_.changes.fetch_add(1, std::memory_order_relaxed);
    auto it = friends.find(c.player_id);
    if (it == friends.end() || it->second.empty()) continue;
    dir_.SendToPlayers(it->second, PresenceChangedFrame(c.player_id, c.online, c.status_json));
  }
}

void PresenceService::Query(std::vector<std::string> players, QueryDone done) {
  struct Gather {
    std::vector<Presence> out;
    int pending = 0;
    QueryDone done;
  };
  auto g = std::make_shared<Gather>();
  g->out.resize(players.size());
  g->done = std::move(done);
  std::map<int, std::vector<size_t>> by_owner;
  for (size_t i = 0; i < players.size(); ++i) {
    by_owner[directory::DirectoryNode::OwnerShardOf(players[i], shard_count())].push_back(i);
  }
  int self = game_.shard->id();
  if (by_owner.empty()) {
    game_.shard->SubmitReplyTo(self, [g] { g->done(std::move(g->out)); });
    return;
  }
  g->pending = int(by_owner.size());
  for (auto& [owner_key, idx_entry] : by_owner) {
    int owner = owner_key;  // copies: clang 14 cannot capture structured bindings
    std::vector<size_t> idx = idx_entry;
    std::vector<std::string> names;
    for (size_t i : idx) names.push_back(players[i]);
    auto answer = [g, idx](std::vector<Presence> found) {
      if (PresenceService::OnThisShard() == nullptr) return;  // shutting down
      for (size_t k = 0; k < idx.size(); ++k) g->out[idx[k]] = std::move(found[k]);
      if (--g->pending == 0) g->done(std::move(g->out));
    };
    game_.shard->SubmitReplyTo(
        owner, [owner, self, names = std::move(names), answer = std::move(answer)]() mutable {
          std::vector<Presence> found(names.size());
          if (PresenceService* p = PresenceService::OnThisShard()) {
            for (size_t k = 0; k < names.size(); ++k) {
              auto it = p->status_.find(names[k]);
              if (it != p->status_.end()) found[k] = Presence{true, it->second};
            }
          }
          if (owner == self) {
            answer(std::move(found));
            return;
          }
          Shard::Current()->SubmitReplyTo(
              self, [answer = std::move(answer), found = std::move(found)]() mutable {
                answer(std::move(found));
              });
        });
  }
}

}  // namespace asobi::presence

#include "game/social/block_lists.h"

#include <atomic>

#include "base/uuid.h"
#include "db/pg_connection.h"
#include "reactor/shard.h"

namespace asobi::social {
namespace {

thread_local BlockLists* t_lists = nullptr;
std::atomic<BlockRelay*> g_relay{nullptr};

const db::Statement kBlockedIds("social_blocked_ids",
                                "SELECT friend_id::text FROM friendships WHERE player_id = $1 "
                                "AND status = 'blocked'",
                                {db::PgType::kUuid});

}  // namespace

void SetBlockRelay(BlockRelay* relay) { g_relay.store(relay, std::memory_order_release); }

BlockRelay* GetBlockRelay() { return g_relay.load(std::memory_order_acquire); }

BlockLists::Loader MakePgLoader(db::PgConnection& db) {
  db::PgConnection* conn = &db;
  return [conn](const std::string& player_id, BlockLists::LoadDone done) {
    conn->Execute(kBlockedIds, {db::Param::Uuid(player_id)},
                  [done = std::move(done)](db::DbResult<db::PgResult> r) {
                    if (!r.ok()) return done(std::nullopt);
                    std::vector<std::string> ids;
                    ids.reserve(size_t(r->rows()));
                    for (int i = 0; i < r->rows(); ++i) ids.emplace_back(r->GetString(i, 0));
                    done(std::move(ids));
                  });
  };
}

BlockLists::BlockLists(directory::PlayerDirectory* dir, Loader loader)
    : dir_(dir), loader_(std::move(loader)) {
  t_lists = this;
  if (dir_ != nullptr) dir_->AddPresenceObserver(this);
}

BlockLists::~BlockLists() {
  *alive_ = false;
  if (dir_ != nullptr) dir_->RemovePresenceObserver(this);
  if (t_lists == this) t_lists = nullptr;
}

BlockLists* BlockLists::OnThisShard() { return t_lists; }

void BlockLists::OnOnline(const std::string& player_id) {
  // Only a player id (a canonical UUID) can have friendships rows.
  if (!IsCanonicalUuid(player_id)) return;
  auto [it, inserted] = lists_.try_emplace(player_id);
  if (!inserted) return;
  uint64_t gen = next_gen_++;
  it->second.gen = gen;
  loader_(player_id,
          [this, alive = alive_, player_id, gen](std::optional<std::vector<std::string>> ids) {
            if (*alive) Loaded(player_id, gen, std::move(ids));
          });
}

void BlockLists::OnOffline(const std::string& player_id) {
  auto it = lists_.find(player_id);
  if (it == lists_.end()) return;
  std::deque<std::pair<std::string, CheckDone>> waiting = std::move(it->second.waiting);
  lists_.erase(it);
  for (auto& [sender, done] : waiting) done(BlockVerdict::kUnknown);
}

void BlockLists::Loaded(const std::string& player_id, uint64_t gen,
                        std::optional<std::vector<std::string>> ids) {
  auto it = lists_.find(player_id);
  if (it == lists_.end() || it->second.gen != gen) return;  // went offline meanwhile
  Entry& e = it->second;
  std::deque<std::pair<std::string, CheckDone>> waiting = std::move(e.waiting);
  if (!ids) {
    // Not loaded: no list, so checks go to the database until the player reconnects.
    lists_.erase(it);
    for (auto& [sender, done] : waiting) done(BlockVerdict::kUnknown);
    return;
  }
  e.loading = false;
  for (std::string& id : *ids) e.blocked.insert(std::move(id));
  for (auto& [other, blocked] : e.changes) {
    if (blocked) {
      e.blocked.insert(other);
    } else {
      e.blocked.erase(other);
    }
  }
  e.changes.clear();
  e.changes.shrink_to_fit();
  std::unordered_set<std::string> blocked = e.blocked;  // `done` may end the entry
  for (auto& [sender, done] : waiting) {
    done(blocked.count(sender) > 0 ? BlockVerdict::kBlocked : BlockVerdict::kAllowed);
  }
}

void BlockLists::Check(const std::string& recipient, const std::string& sender, CheckDone done) {
  auto it = lists_.find(recipient);
  if (it == lists_.end()) return done(BlockVerdict::kUnknown);
  Entry& e = it->second;
  if (!e.loading) {
    return done(e.blocked.count(sender) > 0 ? BlockVerdict::kBlocked : BlockVerdict::kAllowed);
  }
  if (e.waiting.size() >= kBlockChecksWaitingMax) return done(BlockVerdict::kUnknown);
  e.waiting.emplace_back(sender, std::move(done));
}

void BlockLists::Apply(const std::string& player, const std::string& other, bool blocked) {
  auto it = lists_.find(player);
  if (it == lists_.end()) return;
  Entry& e = it->second;
  if (e.loading) {
    e.changes.emplace_back(other, blocked);
  } else if (blocked) {
    e.blocked.insert(other);
  } else {
    e.blocked.erase(other);
  }
}

void BlockLists::Forget(const std::string& player) {
  for (auto& [id, e] : lists_) {
    if (e.loading) {
      e.changes.emplace_back(player, false);
    } else {
      e.blocked.erase(player);
    }
  }
}

void BlockLists::ReportChange(const std::string& player, const std::string& other, bool blocked,
                              std::function<void()> done) {
  Shard* self_shard = Shard::Current();
  if (self_shard == nullptr) return done();
  if (BlockRelay* relay = GetBlockRelay()) {
    // Clustered: this node's owner and every other node, in parallel; `done` after both.
    auto left = std::make_shared<int>(2);
    auto both = [left, done = std::move(done)] {
      if (--*left == 0) done();
    };
    relay->ReportChange(player, other, blocked, both);
    done = both;
  }
  int self = self_shard->id();
  int owner = directory::DirectoryNode::OwnerShardOf(player, self_shard->set().size());
  auto apply = [player, other, blocked] {
    if (BlockLists* b = BlockLists::OnThisShard()) b->Apply(player, other, blocked);
  };
  if (owner == self) {
    apply();
    return done();
  }
  self_shard->SubmitReplyTo(owner, [self, apply, done = std::move(done)]() mutable {
    apply();
    Shard::Current()->SubmitReplyTo(self, [done = std::move(done)] {
      if (BlockLists::OnThisShard() != nullptr) done();  // else shutting down
    });
  });
}

void BlockLists::ReportErased(const std::string& player) {
  Shard* self_shard = Shard::Current();
  if (self_shard == nullptr) return;
  int n = self_shard->set().size();
  for (int s = 0; s < n; ++s) {
    auto forget = [player] {
      if (BlockLists* b = BlockLists::OnThisShard()) b->Forget(player);
    };
    if (s == self_shard->id()) {
      forget();
    } else {
      self_shard->SubmitReplyTo(s, forget);
    }
  }
}

}  // namespace asobi::social

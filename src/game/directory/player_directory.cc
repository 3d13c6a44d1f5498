#include "game/directory/player_directory.h"

#include <algorithm>
#include <map>
#include <memory>

#include "base/check.h"
#include "cluster/node.h"
#include "game/directory/cluster_directory.h"
#include "game/game_shard.h"
#include "reactor/shard.h"

namespace asobi::directory {
namespace {

thread_local PlayerDirectory* tl_directory = nullptr;

}  // namespace

int DirectoryNode::OwnerShardOf(std::string_view player_id, int shard_count) {
  uint64_t h = 1469598103934665603ull;
  for (char c : player_id) {
    h ^= uint8_t(c);
    h *= 1099511628211ull;
  }
  return shard_count <= 1 ? 0 : int(h % uint64_t(shard_count));
}

PlayerDirectory::PlayerDirectory(DirectoryNode& node, GameShard& game) : node_(node), game_(game) {
  CHECK(game.shard->id() < DirectoryNode::kMaxShards);
  tl_directory = this;
  node_.Attach(game.shard->id(), this);
}

PlayerDirectory::~PlayerDirectory() {
  node_.Attach(game_.shard->id(), nullptr);
  int64_t held = 0;
  for (const auto& [player, addrs] : owned_) held += int64_t(addrs.size());
  node_.entries.fetch_sub(held, std::memory_order_relaxed);
  if (tl_directory == this) tl_directory = nullptr;
}

PlayerDirectory* PlayerDirectory::OnThisShard() { return tl_directory; }

int PlayerDirectory::shard_count() const { return game_.shard->set().size(); }

void PlayerDirectory::Submit(int to, bool reliable, std::function<void()> fn) {
  if (reliable) {
    game_.shard->SubmitReplyTo(to, std::move(fn));
    return;
  }
  if (!game_.shard->SubmitTo(to, std::move(fn))) {
    node_.frames_dropped.fetch_add(1, std::memory_order_relaxed);
  }
}

void PlayerDirectory::OnAuthenticated(Client& client) {
  ClientRef ref = client.ref();
  const std::string& player = client.player_id();
  auto it = local_.find(ref);
  if (it != local_.end()) {
    if (it->second == player) return;  // token refresh: same player, same entry
    OnClosed(client);                  // another player on this socket: move the entry
  }
  local_[ref] = player;
  DirectoryNode* node = &node_;
  int owner = DirectoryNode::OwnerShardOf(player, shard_count());
  // Directory updates are bounded by the sockets: never dropped.
  game_.shard->SubmitReplyTo(owner, [node, owner, player, ref] {
    if (PlayerDirectory* d = node->OnShard(owner)) d->Add(player, ref);
  });
}

void PlayerDirectory::OnClosed(Client& client) {
  auto it = local_.find(client.ref());
  if (it == local_.end()) return;
  std::string player = std::move(it->second);
  ClientRef ref = it->first;
  local_.erase(it);
  DirectoryNode* node = &node_;
  int owner = DirectoryNode::OwnerShardOf(player, shard_count());
  game_.shard->SubmitReplyTo(owner, [node, owner, player = std::move(player), ref] {
    if (PlayerDirectory* d = node->OnShard(owner)) d->Remove(player, ref);
  });
}

void PlayerDirectory::Add(const std::string& player_id, const ClientRef& ref) {
  if (removed_early_.erase(ref) > 0) return;
  std::vector<PlayerAddress>& v = owned_[player_id];
  for (const PlayerAddress& a : v) {
    if (a.client == ref) return;
  }
  v.push_back(PlayerAddress{0, ref});
  node_.entries.fetch_add(1, std::memory_order_relaxed);
  if (v.size() == 1) {
    for (PresenceObserver* o : observers_) o->OnOnline(player_id);
  }
  if (v.size() == 1 && cluster::ThisNode() != nullptr)
    cluster_directory::PublishPresence(game_, player_id, true);
}

void PlayerDirectory::Remove(const std::string& player_id, const ClientRef& ref) {
  auto it = owned_.find(player_id);
  if (it != owned_.end()) {
    auto& v = it->second;
    auto pos =
        std::find_if(v.begin(), v.end(), [&](const PlayerAddress& a) { return a.client == ref; });
    if (pos != v.end()) {
      v.erase(pos);
      node_.entries.fetch_sub(1, std::memory_order_relaxed);
      if (v.empty()) {
        owned_.erase(it);
        for (PresenceObserver* o : observers_) o->OnOffline(player_id);
        if (cluster::ThisNode() != nullptr)
          cluster_directory::PublishPresence(game_, player_id, false);
      }
      return;
    }
  }
  removed_early_.insert(ref);
}

std::vector<ClientRef> PlayerDirectory::AddressesOf(const std::string& player_id) const {
  std::vector<ClientRef> out;
  auto it = owned_.find(player_id);
  if (it == owned_.end()) return out;
  for (const PlayerAddress& a : it->second) out.push_back(a.client);
  return out;
}

void PlayerDirectory::SendToPlayer(std::string_view player_id, std::string_view json,
                                   bool reliable) {
  int owner = DirectoryNode::OwnerShardOf(player_id, shard_count());
  SharedBuffer frame = SharedBuffer::Copy(json);
  if (owner == game_.shard->id()) {
    Forward(std::string(player_id), frame, reliable);
    return;
  }
  DirectoryNode* node = &node_;
  Submit(owner, reliable, [node, owner, player = std::string(player_id), frame, reliable] {
    if (PlayerDirectory* d = node->OnShard(owner)) d->Forward(player, frame, reliable);
  });
}

void PlayerDirectory::SendToLocalSockets(std::string_view player_id, std::string_view json) {
  int owner = DirectoryNode::OwnerShardOf(player_id, shard_count());
  SharedBuffer frame = SharedBuffer::Copy(json);
  if (owner == game_.shard->id()) {
    Forward(std::string(player_id), frame, false, true);
    return;
  }
  DirectoryNode* node = &node_;
  Submit(owner, false, [node, owner, player = std::string(player_id), frame] {
    if (PlayerDirectory* d = node->OnShard(owner)) d->Forward(player, frame, false, true);
  });
}

void PlayerDirectory::RunOnLocalSockets(std::string_view player_id,
                                        std::function<void(Client&)> fn) {
  int owner = DirectoryNode::OwnerShardOf(player_id, shard_count());
  if (owner == game_.shard->id()) {
    RunOnOwner(std::string(player_id), fn);
    return;
  }
  DirectoryNode* node = &node_;
  Submit(owner, false, [node, owner, player = std::string(player_id), fn = std::move(fn)] {
    if (PlayerDirectory* d = node->OnShard(owner)) d->RunOnOwner(player, fn);
  });
}

void PlayerDirectory::RunOnOwner(const std::string& player_id,
                                 const std::function<void(Client&)>& fn) {
  auto it = owned_.find(player_id);
  if (it == owned_.end()) return;
  std::map<int, std::vector<ClientRef>> by_shard;
  for (const PlayerAddress& a : it->second) by_shard[a.client.shard].push_back(a.client);
  DirectoryNode* node = &node_;
  for (auto& entry : by_shard) {
    int shard = entry.first;
    auto run = [node, shard, refs = std::move(entry.second), fn] {
      PlayerDirectory* d = node->OnShard(shard);
      if (d == nullptr) return;
      for (const ClientRef& ref : refs) {
        Client* c = d->game_.find_client ? d->game_.find_client(ref) : nullptr;
        if (c != nullptr) fn(*c);
      }
    };
    if (shard == game_.shard->id()) {
      run();
    } else {
      Submit(shard, false, std::move(run));
    }
  }
}

void PlayerDirectory::ApplyRemotePresence(const std::string& player_id, const std::string& node,
                                          bool online) {
  std::vector<std::string>& nodes = remote_[player_id];
  auto pos = std::find(nodes.begin(), nodes.end(), node);
  if (online && pos == nodes.end()) nodes.push_back(node);
  if (!online && pos != nodes.end()) nodes.erase(pos);
  if (nodes.empty()) remote_.erase(player_id);
}

void PlayerDirectory::ForwardToNodes(const std::string& player_id, const SharedBuffer& json,
                                     bool has_local) {
  auto it = remote_.find(player_id);
  if (it == remote_.end()) {
    if (!has_local) cluster_directory::PublishToAllNodes(game_, player_id, json.view());
    return;
  }
  std::vector<std::string>& nodes = it->second;
  for (size_t i = 0; i < nodes.size();) {
    if (!cluster_directory::PublishToNode(game_, nodes[i], player_id, json.view())) {
      nodes.erase(nodes.begin() + long(i));  // that node expired: its sockets are gone
    } else {
      ++i;
    }
  }
  if (nodes.empty()) remote_.erase(it);
}

void PlayerDirectory::SendToPlayers(const std::vector<std::string>& players,
                                    std::string_view json) {
  std::map<int, std::vector<std::string>> by_owner;
  for (const std::string& p : players) {
    by_owner[DirectoryNode::OwnerShardOf(p, shard_count())].push_back(p);
  }
  if (by_owner.empty()) return;
  SharedBuffer frame = SharedBuffer::Copy(json);
  DirectoryNode* node = &node_;
  for (auto& [owner_key, names] : by_owner) {
    int owner = owner_key;  // a copy: clang 14 cannot capture structured bindings
    if (owner == game_.shard->id()) {
      for (const std::string& p : names) Forward(p, frame, false);
      continue;
    }
    Submit(owner, false, [node, owner, names = std::move(names), frame] {
      PlayerDirectory* d = node->OnShard(owner);
      for (size_t i = 0; d != nullptr && i < names.size(); ++i) d->Forward(names[i], frame, false);
    });
  }
}

void PlayerDirectory::Forward(const std::string& player_id, const SharedBuffer& json, bool reliable,
                              bool from_cluster) {
  auto it = owned_.find(player_id);
  if (cluster::ThisNode() != nullptr && !from_cluster) {
    ForwardToNodes(player_id, json, it != owned_.end());
  }
  if (it == owned_.end()) return;
  std::map<int, std::vector<ClientRef>> by_shard;
  for (const PlayerAddress& a : it->second) by_shard[a.client.shard].push_back(a.client);
  DirectoryNode* node = &node_;
  for (auto& entry : by_shard) {
    int shard = entry.first;
    if (shard == game_.shard->id()) {
      Deliver(entry.second, json);
      continue;
    }
    Submit(shard, reliable, [node, shard, refs = std::move(entry.second), json] {
      if (PlayerDirectory* d = node->OnShard(shard)) d->Deliver(refs, json);
    });
  }
}

void PlayerDirectory::Deliver(const std::vector<ClientRef>& refs, const SharedBuffer& json) {
  for (const ClientRef& ref : refs) {
    Client* c = game_.find_client ? game_.find_client(ref) : nullptr;
    if (c == nullptr) continue;
    c->SendFrame(json.view());
    node_.frames_delivered.fetch_add(1, std::memory_order_relaxed);
  }
}

void PlayerDirectory::Lookup(std::vector<std::string> players, LookupDone done) {
  struct Gather {
    std::vector<std::vector<ClientRef>> out;
    int pending = 0;
    LookupDone done;
  };
  auto g = std::make_shared<Gather>();
  g->out.resize(players.size());
  g->done = std::move(done);
  std::map<int, std::vector<size_t>> by_owner;
  for (size_t i = 0; i < players.size(); ++i) {
    by_owner[DirectoryNode::OwnerShardOf(players[i], shard_count())].push_back(i);
  }
  if (by_owner.empty()) {
    g->done(std::move(g->out));
    return;
  }
  g->pending = int(by_owner.size());
  DirectoryNode* node = &node_;
  int self = game_.shard->id();
  for (auto& entry : by_owner) {
    int owner = entry.first;
    const std::vector<size_t>& idx = entry.second;
    std::vector<std::string> names;
    for (size_t i : idx) names.push_back(players[i]);
    auto answer = [node, self, g, idx](std::vector<std::vector<ClientRef>> found) {
      if (node->OnShard(self) == nullptr) return;  // shutting down
      for (size_t k = 0; k < idx.size(); ++k) g->out[idx[k]] = std::move(found[k]);
      if (--g->pending == 0) g->done(std::move(g->out));
    };
    game_.shard->SubmitReplyTo(
        owner, [node, owner, self, names = std::move(names), answer = std::move(answer)]() mutable {
          PlayerDirectory* d = node->OnShard(owner);
          std::vector<std::vector<ClientRef>> found(names.size());
          for (size_t k = 0; d != nullptr && k < names.size(); ++k)
            found[k] = d->AddressesOf(names[k]);
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

}  // namespace asobi::directory

#include "game/directory/cluster_directory.h"

#include "cluster/node.h"
#include "game/directory/player_directory.h"
#include "game/game_shard.h"
#include "reactor/shard.h"

namespace asobi::cluster_directory {
namespace {

constexpr size_t kMaxPlayerIdBytes = 128;

// Cuts the next '\n'-terminated field off `rest`; false when there is none.
bool Field(std::string_view* rest, std::string_view* out) {
  size_t nl = rest->find('\n');
  if (nl == std::string_view::npos) return false;
  *out = rest->substr(0, nl);
  rest->remove_prefix(nl + 1);
  return true;
}

std::string Encode(char kind, std::string_view from, std::string_view player,
                   std::string_view body) {
  std::string out;
  out.reserve(from.size() + player.size() + body.size() + 6);
  out += kind;
  out += "1\n";
  out += from;
  out += '\n';
  out += player;
  out += '\n';
  out += body;
  return out;
}

void OnMessage(cluster::ClusterNode& node, GameShard& game, std::string_view payload) {
  Message m;
  if (!Parse(payload, &m) || !node.membership->IsLive(m.from)) {
    node.bus->metrics().refused.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  directory::PlayerDirectory* d = directory::PlayerDirectory::OnThisShard();
  if (d == nullptr) return;
  if (m.kind == 'D') {
    d->SendToLocalSockets(m.player, m.body);
    return;
  }
  int owner = directory::DirectoryNode::OwnerShardOf(m.player, game.shard->set().size());
  auto apply = [player = std::string(m.player), from = std::string(m.from),
                online = m.body == "1"] {
    if (auto* dir = directory::PlayerDirectory::OnThisShard()) {
      dir->ApplyRemotePresence(player, from, online);
    }
  };
  if (owner == game.shard->id()) {
    apply();
  } else {
    game.shard->SubmitReplyTo(owner, std::move(apply));  // bounded by admitted sockets
  }
}

}  // namespace

std::string EncodeDeliver(std::string_view from, std::string_view player, std::string_view frame) {
  return Encode('D', from, player, frame);
}

std::string EncodePresence(std::string_view from, std::string_view player, bool online) {
  return Encode('P', from, player, online ? "1" : "0");
}

bool Parse(std::string_view payload, Message* out) {
  if (payload.size() < 3 || (payload[0] != 'D' && payload[0] != 'P') || payload[1] != '1' ||
      payload[2] != '\n') {
    return false;
  }
  out->kind = payload[0];
  std::string_view rest = payload.substr(3);
  if (!Field(&rest, &out->from) || !cluster::Bus::ValidToken(out->from)) return false;
  if (!Field(&rest, &out->player) || out->player.empty() ||
      out->player.size() > kMaxPlayerIdBytes) {
    return false;
  }
  out->body = rest;
  if (out->kind == 'P') return rest == "0" || rest == "1";
  return !rest.empty() && rest.front() == '{';
}

void PublishPresence(GameShard& /*game*/, std::string_view player, bool online) {
  cluster::ClusterNode& n = *cluster::ThisNode();
  n.bus->Publish(n.BroadcastSubject("presence"), EncodePresence(n.bus->node_id(), player, online));
}

bool PublishToNode(GameShard& /*game*/, std::string_view node, std::string_view player,
                   std::string_view frame) {
  cluster::ClusterNode& n = *cluster::ThisNode();
  if (!n.membership->IsLive(node)) return false;
  n.bus->Publish(n.NodeSubject(node), EncodeDeliver(n.bus->node_id(), player, frame));
  return true;
}

void PublishToAllNodes(GameShard& /*game*/, std::string_view player, std::string_view frame) {
  cluster::ClusterNode& n = *cluster::ThisNode();
  n.bus->Publish(n.BroadcastSubject("deliver"), EncodeDeliver(n.bus->node_id(), player, frame));
}

void WireClusterDirectory(GameShard& game) {
  cluster::ClusterNode* node = cluster::ThisNode();
  if (node == nullptr || game.shard->id() != 0) return;
  GameShard* g = &game;
  auto handler = [node, g](std::string_view, std::string_view p) { OnMessage(*node, *g, p); };
  uint64_t subs[3] = {
      node->bus->Subscribe(node->NodeSubject(node->bus->node_id()), 0, handler),
      node->bus->Subscribe(node->BroadcastSubject("deliver"), 0, handler),
      node->bus->Subscribe(node->BroadcastSubject("presence"), 0, handler),
  };
  game.AddTeardown([node, s0 = subs[0], s1 = subs[1], s2 = subs[2]] {
    node->bus->Unsubscribe(s0);
    node->bus->Unsubscribe(s1);
    node->bus->Unsubscribe(s2);
  });
}

}  // namespace asobi::cluster_directory

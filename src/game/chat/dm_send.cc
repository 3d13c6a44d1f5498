#include "game/chat/dm_send.h"

#include <utility>

#include "base/clock.h"
#include "base/uuid.h"
#include "cluster/node.h"
#include "db/pg_connection.h"
#include "game/chat/channel_id.h"
#include "game/chat/chat_service.h"
#include "game/directory/cluster_directory.h"
#include "game/directory/player_directory.h"
#include "game/social/block_lists.h"
#include "protocol/frame.h"
#include "protocol/json_writer.h"
#include "reactor/shard.h"

namespace asobi::chat {
namespace {

const db::Statement kBlocked("chat_dm_blocked",
                             "SELECT 1 FROM friendships WHERE player_id = $1 AND friend_id = $2 "
                             "AND status = 'blocked'",
                             {db::PgType::kUuid, db::PgType::kUuid});

// The `dm.message` frame (websocket.md §8.5).
std::string DmFrame(const std::string& channel, const std::string& sender,
                    const std::string& content, int64_t now) {
  JsonWriter w;
  w.BeginObject();
  w.Key("channel_id");
  w.String(channel);
  w.Key("sender_id");
  w.String(sender);
  w.Key("content");
  w.String(content);
  w.Key("sent_at");
  w.Int(now);
  w.EndObject();
  return BuildFrame("dm.message", w.out(), nullptr);
}

void Deliver(GameShard& game, ChatService& chat, const std::string& sender,
             const std::string& recipient, std::string content, const std::string& channel) {
  int64_t now = UnixMs();
  if (game.send_to_player) game.send_to_player(recipient, DmFrame(channel, sender, content, now));
  chat.Publish(ChatMessage{channel, "dm", sender, std::move(content), now}, true);
}

}  // namespace

std::string_view ValidateDm(JsonValue payload, std::string* recipient, std::string* content) {
  std::optional<JsonValue> r = GetField(payload, "recipient_id");
  std::optional<JsonValue> c = GetField(payload, "content");
  if (!r || !c) return "invalid_payload";
  std::optional<std::string_view> rs = GetString(payload, "recipient_id");
  std::optional<std::string_view> cs = GetString(payload, "content");
  if (!rs || !cs) return "invalid_input";
  if (cs->empty()) return "content_empty";
  if (cs->size() > kContentBytesMax) return "content_too_large";
  *recipient = std::string(*rs);
  *content = std::string(*cs);
  return {};
}

namespace {

// Today's path for a recipient whose block list is not in memory (offline, clustered, list not
// loaded): one SELECT on this shard's pipelined connection, then delivery.
void SendDmCheckingDb(GameShard& game, ChatService& chat, const std::string& sender,
                      const std::string& recipient, std::string content, std::string channel,
                      std::function<void(std::string_view, const std::string&)> done) {
  if (chat.db() == nullptr) return done("not_ready", channel);
  chat.node().dm_block_queries.fetch_add(1, std::memory_order_relaxed);
  GameShard* g = &game;
  chat.db()->Execute(kBlocked, {db::Param::Uuid(recipient), db::Param::Uuid(sender)},
                     [g, sender, recipient, content = std::move(content), channel,
                      done = std::move(done)](db::DbResult<db::PgResult> r) mutable {
                       if (!r.ok()) return done("not_ready", channel);
                       if (r.value().rows() > 0) return done("blocked", channel);
                       ChatService* chat = ChatService::OnThisShard();
                       if (chat == nullptr) return done("not_ready", channel);
                       Deliver(*g, *chat, sender, recipient, std::move(content), channel);
                       done({}, channel);
                     });
}

// Back on the sender's shard with the owner's verdict: the `dm.message` already went to the
// recipient's sockets when allowed; what is left is the dm: channel, history and the answer.
void Finish(GameShard& game, social::BlockVerdict v, const std::string& sender,
            const std::string& recipient, std::string content, std::string channel, int64_t now,
            std::function<void(std::string_view, const std::string&)> done) {
  ChatService* chat = ChatService::OnThisShard();
  if (chat == nullptr) return done("not_ready", channel);
  switch (v) {
    case social::BlockVerdict::kBlocked:
      return done("blocked", channel);
    case social::BlockVerdict::kAllowed:
      chat->Publish(ChatMessage{channel, "dm", sender, std::move(content), now}, true);
      return done({}, channel);
    case social::BlockVerdict::kUnknown:
      return SendDmCheckingDb(game, *chat, sender, recipient, std::move(content),
                              std::move(channel), std::move(done));
  }
}

}  // namespace

void SendDm(GameShard& game, ChatService& chat, const std::string& sender,
            const std::string& recipient, std::string content,
            std::function<void(std::string_view reason, const std::string& channel_id)> done) {
  std::string channel = DmChannelId(sender, recipient);
  // Only a player id can have a friendships row: anyone else cannot have blocked the sender.
  if (!IsCanonicalUuid(recipient) || !IsCanonicalUuid(sender)) {
    Deliver(game, chat, sender, recipient, std::move(content), channel);
    return done({}, channel);
  }
  if (chat.db() == nullptr) return done("not_ready", channel);
  // Clustered without a relay (block changes on other nodes would not reach this node's
  // lists): the database decides (docs/decisions.md "DM block lists in memory").
  social::BlockRelay* relay = social::GetBlockRelay();
  if ((cluster::ThisNode() != nullptr && relay == nullptr) || !game.send_to_player) {
    return SendDmCheckingDb(game, chat, sender, recipient, std::move(content), std::move(channel),
                            std::move(done));
  }
  // The recipient's owner shard checks its list in memory and, when allowed, hands the frame
  // to the recipient's sockets; the verdict comes back here (docs/decisions.md). Clustered,
  // when this node holds no list (no socket of the recipient here), the node that holds the
  // recipient's sockets decides and delivers there.
  int64_t now = UnixMs();
  std::string frame = DmFrame(channel, sender, content, now);
  int self = game.shard->id();
  int owner = directory::DirectoryNode::OwnerShardOf(recipient, game.shard->set().size());
  GameShard* g = &game;
  auto on_owner = [g, self, owner, relay, sender, recipient, frame = std::move(frame),
                   content = std::move(content), channel = std::move(channel), now,
                   done = std::move(done)]() mutable {
    // Back on the sender's shard with the verdict (the frame went out already when allowed).
    auto finish = [g, self, owner, sender, recipient, content = std::move(content),
                   channel = std::move(channel), now,
                   done = std::move(done)](social::BlockVerdict v) mutable {
      if (owner == self) {
        return Finish(*g, v, sender, recipient, std::move(content), std::move(channel), now,
                      std::move(done));
      }
      Shard::Current()->SubmitReplyTo(
          self, [g, v, sender = std::move(sender), recipient = std::move(recipient),
                 content = std::move(content), channel = std::move(channel), now,
                 done = std::move(done)]() mutable {
            Finish(*g, v, sender, recipient, std::move(content), std::move(channel), now,
                   std::move(done));
          });
    };
    // Owns the DM from here on: Check may keep it while the recipient's list loads.
    auto verdict = [g, relay, sender, recipient, frame = std::move(frame),
                    finish = std::move(finish)](social::BlockVerdict v) mutable {
      directory::PlayerDirectory* d = directory::PlayerDirectory::OnThisShard();
      if (v == social::BlockVerdict::kAllowed) {
        if (d != nullptr) d->SendToPlayer(recipient, frame, false);  // every node's sockets
        return finish(v);
      }
      std::vector<std::string> nodes;
      if (v == social::BlockVerdict::kUnknown && relay != nullptr && d != nullptr) {
        nodes = d->RemoteNodes(recipient);
      }
      if (nodes.empty()) return finish(v);
      // No list here: the first node holding the recipient's sockets decides and delivers
      // there; when allowed, the recipient's other nodes (and this node's sockets, if its list
      // failed to load) get the frame from here.
      std::string first = nodes.front();
      relay->CheckOn(first, sender, recipient, frame,
                     [g, recipient, frame, nodes = std::move(nodes),
                      finish = std::move(finish)](social::BlockVerdict r) mutable {
                       if (r == social::BlockVerdict::kAllowed) {
                         for (size_t i = 1; i < nodes.size(); ++i) {
                           cluster_directory::PublishToNode(*g, nodes[i], recipient, frame);
                         }
                         if (auto* here = directory::PlayerDirectory::OnThisShard()) {
                           here->SendToLocalSockets(recipient, frame);
                         }
                       }
                       finish(r);
                     });
    };
    social::BlockLists* lists = social::BlockLists::OnThisShard();
    if (lists == nullptr) return verdict(social::BlockVerdict::kUnknown);
    lists->Check(recipient, sender, std::move(verdict));
  };
  if (owner == self) return on_owner();
  game.shard->SubmitReplyTo(owner, std::move(on_owner));
}

}  // namespace asobi::chat

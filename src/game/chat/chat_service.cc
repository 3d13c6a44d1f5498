#include "game/chat/chat_service.h"

#include <algorithm>
#include <utility>

#include "base/check.h"
#include "cluster/bus.h"
#include "game/chat/channel_id.h"
#include "game/chat/chat_bridge.h"
#include "game/chat/history_writer.h"
#include "protocol/frame.h"
#include "protocol/json_writer.h"
#include "reactor/shard.h"
#include "ws/ws_codec.h"

namespace asobi::chat {
namespace {

thread_local ChatService* tl_service = nullptr;

// The chat.message push (websocket.md §8.4), encoded once as a WebSocket text frame.
SharedBuffer EncodeMessage(const ChatMessage& m) {
  JsonWriter w;
  w.BeginObject();
  w.Key("channel_id");
  w.String(m.channel_id);
  w.Key("sender_id");
  w.String(m.sender_id);
  w.Key("content");
  w.String(m.content);
  w.Key("sent_at");
  w.Int(m.sent_at_ms);
  w.EndObject();
  return WsCodec::EncodeTextFrameShared(BuildFrame("chat.message", w.out(), nullptr));
}

}  // namespace

int ChatNode::OwnerShardOf(std::string_view channel_id, int shard_count) {
  uint64_t h = 1469598103934665603ull;
  for (char c : channel_id) {
    h ^= uint8_t(c);
    h *= 1099511628211ull;
  }
  return shard_count <= 1 ? 0 : int(h % uint64_t(shard_count));
}

ChatService::ChatService(ChatNode& node, GameShard& game, db::PgConnection* db, AclSources acl,
                         size_t history_rows_max)
    : node_(node), game_(game), db_(db), acl_(std::move(acl)) {
  CHECK(game.shard->id() < ChatNode::kMaxShards);
  if (db != nullptr) {
    history_ = std::make_unique<HistoryWriter>(game.shard->reactor(), *db, node, history_rows_max);
  }
  tl_service = this;
  node_.Attach(self(), this);
}

ChatService::~ChatService() {
  node_.Attach(self(), nullptr);
  int64_t held = 0;
  for (const auto& [ref, ids] : joined_) held += int64_t(ids.size());
  node_.subscriptions.fetch_sub(held);
  if (tl_service == this) tl_service = nullptr;
}

ChatService* ChatService::OnThisShard() { return tl_service; }

void ChatService::AttachBus(cluster::Bus& bus) {
  CHECK(bridge_ == nullptr && shards_of_.empty());
  bridge_ = std::make_unique<ChatBridge>(bus, node_, self(),
                                         [this](ChatMessage m) { RemotePublish(std::move(m)); });
}

int ChatService::shard_count() const { return game_.shard->set().size(); }
int ChatService::self() const { return game_.shard->id(); }

size_t ChatService::JoinedCount(const ClientRef& ref) const {
  auto it = joined_.find(ref);
  return it == joined_.end() ? 0 : it->second.size() - AutoCount(ref);
}

size_t ChatService::AutoCount(const ClientRef& ref) const {
  auto it = auto_.find(ref);
  return it == auto_.end() ? 0 : it->second.size();
}

bool ChatService::IsJoined(const ClientRef& ref, const std::string& channel_id) const {
  auto it = joined_.find(ref);
  if (it == joined_.end()) return false;
  return std::find(it->second.begin(), it->second.end(), channel_id) != it->second.end();
}

void ChatService::Join(const ClientRef& ref, const std::string& channel_id,
                       std::function<void()> done) {
  if (auto a = auto_.find(ref); a != auto_.end()) {  // chat.join makes it the socket's own
    std::erase(a->second, channel_id);
    if (a->second.empty()) auto_.erase(a);
  }
  Subscribe(ref, channel_id, std::move(done));
}

void ChatService::Subscribe(const ClientRef& ref, const std::string& channel_id,
                            std::function<void()> done) {
  if (IsJoined(ref, channel_id)) {
    done();
    return;
  }
  joined_[ref].push_back(channel_id);
  node_.subscriptions.fetch_add(1, std::memory_order_relaxed);
  std::vector<ClientRef>& local = subs_[channel_id];
  local.push_back(ref);
  if (local.size() > 1) {
    done();
    return;
  }
  // First socket of this shard on the channel: the owner counts this shard first.
  int owner = ChatNode::OwnerShardOf(channel_id, shard_count());
  ChatNode* node = &node_;
  int me = self();
  game_.shard->SubmitReplyTo(owner, [node, owner, me, channel_id, done = std::move(done)] {
    ChatService* o = node->OnShard(owner);
    if (o == nullptr) return;
    o->CountShard(channel_id, me, +1);
    Shard::Current()->SubmitReplyTo(me, [node, me, done] {
      if (node->OnShard(me) != nullptr) done();
    });
  });
}

void ChatService::Leave(const ClientRef& ref, const std::string& channel_id) {
  if (auto a = auto_.find(ref); a != auto_.end()) {
    std::erase(a->second, channel_id);
    if (a->second.empty()) auto_.erase(a);
  }
  auto it = joined_.find(ref);
  if (it == joined_.end()) return;
  auto pos = std::find(it->second.begin(), it->second.end(), channel_id);
  if (pos == it->second.end()) return;
  it->second.erase(pos);
  if (it->second.empty()) joined_.erase(it);
  Unsubscribe(ref, channel_id);
}

void ChatService::Notify(const ClientRef& ref, std::string_view type, std::string_view channel_id) {
  Client* c = game_.find_client ? game_.find_client(ref) : nullptr;
  if (c == nullptr) return;
  JsonWriter w;
  w.BeginObject();
  w.Key("channel_id");
  w.String(channel_id);
  w.EndObject();
  c->SendFrame(BuildFrame(type, w.out(), nullptr));
}

bool ChatService::IsAuto(const ClientRef& ref, const std::string& channel_id) const {
  auto it = auto_.find(ref);
  return it != auto_.end() &&
         std::find(it->second.begin(), it->second.end(), channel_id) != it->second.end();
}

void ChatService::SetAutoChannels(const ClientRef& ref, const std::vector<std::string>& channels) {
  std::vector<std::string> wanted(channels.begin(),
                                  channels.begin() + std::min(channels.size(), kAutoChannelsMax));
  std::vector<std::string> held;
  if (auto a = auto_.find(ref); a != auto_.end()) held = std::move(a->second);
  auto_.erase(ref);
  for (const std::string& id : held) {
    if (std::find(wanted.begin(), wanted.end(), id) != wanted.end()) continue;
    Leave(ref, id);
    Notify(ref, "chat.left", id);
  }
  std::vector<std::string> mine;
  for (const std::string& id : wanted) {
    bool was_auto = std::find(held.begin(), held.end(), id) != held.end();
    if (std::find(mine.begin(), mine.end(), id) != mine.end()) continue;  // listed twice
    if (!was_auto && IsJoined(ref, id)) continue;  // joined with chat.join: stays its own
    mine.push_back(id);
  }
  if (!mine.empty()) auto_[ref] = mine;
  for (const std::string& id : mine) {
    if (std::find(held.begin(), held.end(), id) != held.end()) continue;
    // Announced once live, unless it was dropped or taken over by chat.join meanwhile.
    Subscribe(ref, id, [ref, id] {
      ChatService* s = OnThisShard();
      if (s != nullptr && s->IsAuto(ref, id)) s->Notify(ref, "chat.joined", id);
    });
  }
}

void ChatService::LeaveWorldChannels(const ClientRef& ref, std::string_view world_id,
                                     bool drop_auto) {
  if (drop_auto) SetAutoChannels(ref, {});
  auto it = joined_.find(ref);
  if (it == joined_.end()) return;
  std::vector<std::string> drop;
  for (const std::string& id : it->second) {
    std::optional<ChannelRef> c = ParseChannelId(id);
    if (c && c->kind != ChannelKind::kGlobal && c->kind != ChannelKind::kDm &&
        c->kind != ChannelKind::kRoom && c->world == world_id) {
      drop.push_back(id);
    }
  }
  for (const std::string& id : drop) {
    Leave(ref, id);
    Notify(ref, "chat.left", id);
  }
}

void ChatService::OnClosed(const ClientRef& ref) {
  auto_.erase(ref);
  auto it = joined_.find(ref);
  if (it == joined_.end()) return;
  std::vector<std::string> ids = std::move(it->second);
  joined_.erase(it);
  for (const std::string& id : ids) Unsubscribe(ref, id);
}

void ChatService::Unsubscribe(const ClientRef& ref, const std::string& channel_id) {
  node_.subscriptions.fetch_sub(1, std::memory_order_relaxed);
  auto it = subs_.find(channel_id);
  if (it == subs_.end()) return;
  std::erase(it->second, ref);
  if (!it->second.empty()) return;
  subs_.erase(it);
  int owner = ChatNode::OwnerShardOf(channel_id, shard_count());
  ChatNode* node = &node_;
  int me = self();
  // Bounded by the joins before it: never dropped.
  game_.shard->SubmitReplyTo(owner, [node, owner, me, channel_id] {
    if (ChatService* o = node->OnShard(owner)) o->CountShard(channel_id, me, -1);
  });
}

void ChatService::CountShard(const std::string& channel_id, int shard, int delta) {
  // A count, not a set: a leave that overtakes its join (overflowed mailbox) still nets 0.
  auto [it, added] = shards_of_.try_emplace(channel_id);
  std::map<int, int>& counts = it->second;
  if ((counts[shard] += delta) == 0) counts.erase(shard);
  if (counts.empty()) {
    shards_of_.erase(it);
    if (bridge_ && !added) bridge_->Unwatch(channel_id);
  } else if (bridge_ && added) {
    bridge_->Watch(channel_id);
  }
}

void ChatService::Publish(ChatMessage msg, bool persist) {
  node_.messages.fetch_add(1, std::memory_order_relaxed);
  if (msg.channel_type == "dm") node_.direct_messages.fetch_add(1, std::memory_order_relaxed);
  SharedBuffer frame = EncodeMessage(msg);
  if (bridge_) bridge_->Publish(msg);
  int owner = ChatNode::OwnerShardOf(msg.channel_id, shard_count());
  if (owner == self()) {
    OwnerPublish(std::move(msg), persist, frame);
    return;
  }
  ChatNode* node = &node_;
  bool sent =
      game_.shard->SubmitTo(owner, [node, owner, msg = std::move(msg), persist, frame]() mutable {
        if (ChatService* o = node->OnShard(owner)) o->OwnerPublish(std::move(msg), persist, frame);
      });
  if (!sent) node_.publish_dropped.fetch_add(1, std::memory_order_relaxed);
}

void ChatService::OwnerPublish(ChatMessage msg, bool persist, const SharedBuffer& frame) {
  auto it = shards_of_.find(msg.channel_id);
  if (it != shards_of_.end()) {
    ChatNode* node = &node_;
    for (const auto& entry : it->second) {
      int shard = entry.first;
      if (entry.second <= 0) continue;
      if (shard == self()) {
        DeliverLocal(msg.channel_id, frame);
        continue;
      }
      bool sent = game_.shard->SubmitTo(shard, [node, target = shard, id = msg.channel_id, frame] {
        if (ChatService* s = node->OnShard(target)) s->DeliverLocal(id, frame);
      });
      if (!sent) node_.publish_dropped.fetch_add(1, std::memory_order_relaxed);
    }
  }
  if (persist && history_) history_->Append(std::move(msg));
}

void ChatService::RemotePublish(ChatMessage msg) {
  // Encoded once per receiving node, then fanned out like a local message; the sending node
  // stored it.
  SharedBuffer frame = EncodeMessage(msg);
  OwnerPublish(std::move(msg), false, frame);
}

void ChatService::DeliverLocal(const std::string& channel_id, const SharedBuffer& frame) {
  auto it = subs_.find(channel_id);
  if (it == subs_.end()) return;
  uint64_t n = 0;
  // A copy: a send may close a socket, whose close hook edits the list.
  std::vector<ClientRef> refs = it->second;
  for (const ClientRef& ref : refs) {
    Client* c = game_.find_client ? game_.find_client(ref) : nullptr;
    if (c == nullptr) continue;
    c->SendEncoded(frame);
    ++n;
  }
  node_.deliveries.fetch_add(n, std::memory_order_relaxed);
}

}  // namespace asobi::chat

// ChatService: chat channels on one shard (websocket.md §8.2-8.5, issue 11 item 2).
//
// Ownership: each channel has an owner shard (a hash of its id) that knows which shards have
// subscribers (a count per shard) and writes the channel's history. Each shard keeps its own
// subscriber lists (channel -> its sockets) and each socket's joined channels (at most
// kChannelsPerSocketMax). A message is encoded once, on the sender's shard, into one shared
// WebSocket frame, goes to the owner, which hands that same buffer to every shard with
// subscribers; each writes it to its own sockets.
//
// Across nodes (clustering on): the owner shard subscribes to the channel's bus subject while
// this node has subscribers, and the sender's shard publishes each message once on the bus
// (chat_bridge.h).
//
// Bounds: the hops use SubmitTo; a full mailbox drops the message for that shard (counted in
// ChatNode::publish_dropped). History rows wait in a bounded HistoryWriter (history_writer.h).
// Every method runs on the service's own shard.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/shared_buffer.h"
#include "game/chat/chat_acl.h"
#include "game/client.h"
#include "game/game_shard.h"

namespace asobi::cluster {
class Bus;
}

namespace asobi::chat {

/// Channels one socket may have joined (websocket.md §8.2).
inline constexpr size_t kChannelsPerSocketMax = 32;
/// Longest content in bytes (websocket.md §8.4, §8.5).
inline constexpr size_t kContentBytesMax = 2000;
/// Channels one socket may hold on its behalf (world auto-chat), beyond the 32 of chat.join.
inline constexpr size_t kAutoChannelsMax = 64;

/// One message as sent and stored (a chat_messages row, rest.md §3.4).
struct ChatMessage {
  std::string channel_id;
  std::string channel_type;  ///< ChannelTypeOf(kind)
  std::string sender_id;
  std::string content;
  int64_t sent_at_ms = 0;  ///< Unix ms, set on the sender's shard
};

class ChatBridge;
class ChatService;
class HistoryWriter;

/// Node-wide: each shard's service (set at start-up) and counters read by /metrics.
class ChatNode {
 public:
  static constexpr int kMaxShards = 1024;
  /// The owner shard of `channel_id` (FNV-1a modulo `shard_count`).
  static int OwnerShardOf(std::string_view channel_id, int shard_count);
  /// Publishes shard `shard`'s service (its own thread, at start-up; null at teardown), and
  /// finds it from a task running on that shard.
  void Attach(int shard, ChatService* s) { shards_[size_t(shard)].store(s); }
  ChatService* OnShard(int shard) const { return shards_[size_t(shard)].load(); }

  std::atomic<int64_t> subscriptions{0};     ///< gauge: (socket, channel) pairs joined
  std::atomic<uint64_t> messages{0};         ///< messages published
  std::atomic<uint64_t> direct_messages{0};  ///< of which DMs (type "dm")
  /// DM block checks that asked the database (recipient's block list not in memory here).
  std::atomic<uint64_t> dm_block_queries{0};
  std::atomic<uint64_t> deliveries{0};       ///< chat.message frames written to sockets
  std::atomic<uint64_t> publish_dropped{0};  ///< hops refused by a full mailbox
  std::atomic<uint64_t> history_rows{0};     ///< rows INSERTed
  std::atomic<uint64_t> history_batches{0};  ///< INSERT round trips that succeeded
  std::atomic<uint64_t> history_dropped{0};  ///< rows not stored (buffer full, unstorable)
  std::atomic<int64_t> history_waiting{0};   ///< gauge: rows buffered, not yet written
  // Cluster (chat_bridge.h); zero with clustering off.
  std::atomic<int64_t> bus_channels{0};    ///< gauge: channel subjects this node subscribes to
  std::atomic<uint64_t> bus_published{0};  ///< messages handed to the bus for other nodes
  std::atomic<uint64_t> bus_dropped{0};    ///< messages the bus refused (queue full, too large)
  std::atomic<uint64_t> bus_received{0};   ///< messages from other nodes, fanned out here
  std::atomic<uint64_t> bus_refused{0};    ///< bus payloads that were not a chat message

 private:
  std::array<std::atomic<ChatService*>, kMaxShards> shards_{};
};

/// One per shard, created by RegisterChat's start-up step and freed at that shard's teardown;
/// shard-affine.
class ChatService {
 public:
  /// `db` may be null (no history, no ACL queries). `game`, `node` and `db` must outlive the
  /// service. `acl` answers for `global:` channels and world membership (this shard);
  /// `history_rows_max` bounds the rows buffered for chat_messages (HistoryWriter).
  ChatService(ChatNode& node, GameShard& game, db::PgConnection* db, AclSources acl,
              size_t history_rows_max);
  ~ChatService();
  ChatService(const ChatService&) = delete;
  ChatService& operator=(const ChatService&) = delete;

  /// The service of the calling shard thread, or null.
  static ChatService* OnThisShard();

  /// Turns on chat across nodes (chat_bridge.h) for this shard: called once by RegisterChat's
  /// start-up step when the node has a cluster bus, before any join. `bus` must outlive the
  /// service.
  void AttachBus(cluster::Bus& bus);

  /// The shard's database connection (null without one) and the ACL's other sources, for
  /// CheckAccess.
  db::PgConnection* db() const { return db_; }
  /// The node-wide counters.
  ChatNode& node() { return node_; }
  const AclSources& acl() const { return acl_; }

  /// Channels `ref` (of this shard) has joined with chat.join: the ones subscribed on its
  /// behalf (SetAutoChannels) do not count toward kChannelsPerSocketMax.
  size_t JoinedCount(const ClientRef& ref) const;
  /// Whether `ref` (of this shard) joined `channel_id`.
  bool IsJoined(const ClientRef& ref, const std::string& channel_id) const;
  /// Subscribes `ref` (of this shard) to `channel_id` (the caller checked the ACL and the
  /// per-socket bound); a channel it had on its behalf becomes its own (chat.join). `done`
  /// runs on this shard once the channel's owner counts this shard, so messages published
  /// after it reach the socket.
  void Join(const ClientRef& ref, const std::string& channel_id, std::function<void()> done);
  /// Unsubscribes `ref` (chat.leave, either kind of subscription); a no-op when it had not
  /// joined.
  void Leave(const ClientRef& ref, const std::string& channel_id);
  /// World auto-chat (websocket.md §8.4, DECISIONS.md wire 4): makes `channels` the set `ref`
  /// (of this shard) is subscribed to on its behalf. Channels of the previous set that are
  /// not in `channels` are left; new ones are joined unless `ref` already joined them itself
  /// (they stay its own). The caller decided they are allowed; at most kAutoChannelsMax are
  /// taken (the rest ignored). The socket gets a `chat.joined` push (no cid) per new channel
  /// once messages reach it, and a `chat.left` push per channel dropped.
  void SetAutoChannels(const ClientRef& ref, const std::vector<std::string>& channels);
  /// Leaving world `world_id`: drops the auto set (when `drop_auto`) and every
  /// `world:`/`zone:`/`prox:` channel of that world `ref` joined itself (websocket.md §8.1:
  /// members only), each with a `chat.left` push.
  void LeaveWorldChannels(const ClientRef& ref, std::string_view world_id, bool drop_auto);
  /// Channels subscribed on `ref`'s behalf.
  size_t AutoCount(const ClientRef& ref) const;
  /// Drops every subscription of a closing socket.
  void OnClosed(const ClientRef& ref);

  /// Encodes `msg` as one `chat.message` frame and delivers it to every socket that joined
  /// its channel on any shard; stores it in chat_messages when `persist`. With clustering on
  /// it also goes once on the bus to the other nodes' subscribers (chat_bridge.h). Returns at
  /// once.
  void Publish(ChatMessage msg, bool persist);

 private:
  struct RefHash {
    size_t operator()(const ClientRef& r) const {
      return std::hash<uint64_t>()((uint64_t(uint32_t(r.shard)) << 48) ^ (uint64_t(r.index) << 20) ^
                                   r.gen);
    }
  };
  int shard_count() const;
  int self() const;
  // Owner side.
  void CountShard(const std::string& channel_id, int shard, int delta);
  void OwnerPublish(ChatMessage msg, bool persist, const SharedBuffer& frame);
  void RemotePublish(ChatMessage msg);  // a message from another node, on the owner
  // Subscriber side.
  void DeliverLocal(const std::string& channel_id, const SharedBuffer& frame);
  void Unsubscribe(const ClientRef& ref, const std::string& channel_id);
  void Subscribe(const ClientRef& ref, const std::string& channel_id, std::function<void()> done);
  bool IsAuto(const ClientRef& ref, const std::string& channel_id) const;
  // A `chat.joined` / `chat.left` push without cid for a channel joined or dropped on the
  // socket's behalf.
  void Notify(const ClientRef& ref, std::string_view type, std::string_view channel_id);

  ChatNode& node_;
  GameShard& game_;
  db::PgConnection* db_;
  AclSources acl_;
  std::unique_ptr<HistoryWriter> history_;
  std::unique_ptr<ChatBridge> bridge_;                             // null unless clustering is on
  std::unordered_map<std::string, std::map<int, int>> shards_of_;  // owner: channel -> counts
  std::unordered_map<std::string, std::vector<ClientRef>> subs_;   // channel -> local sockets
  std::unordered_map<ClientRef, std::vector<std::string>, RefHash> joined_;  // socket -> ids
  // socket -> the ids of joined_ it holds on its behalf (world auto-chat)
  std::unordered_map<ClientRef, std::vector<std::string>, RefHash> auto_;
};

}  // namespace asobi::chat

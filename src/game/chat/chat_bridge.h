// ChatBridge: chat channels across the nodes of a cluster (issue 16 item 3), on the cluster
// bus (src/cluster/bus.h). One per shard, owned by that shard's ChatService; exists only when
// clustering is on (GameShard::cluster), so a single node pays nothing.
//
// - A channel's owner shard subscribes to the channel's subject (ChatSubjectOf) while this
//   node has local subscribers on it (Watch when the first shard counts in, Unwatch when the
//   last leaves); so a node hears a channel only while it needs it.
// - A message is published once, by the sender's shard, on the channel's subject: it crosses
//   the bus once from the sending node, and NATS hands it once to each subscribed node.
// - On a receiving node the owner shard decodes it, encodes the chat.message frame once
//   (ChatService), and fans it out to its shards as for a local message. The sending node's own
//   copy (NATS echoes to a subscribed publisher) is recognised by its node id and dropped.
//
// Delivery across nodes starts once the subscription has reached the NATS cluster (after
// chat.joined; docs/decisions.md "Chat across nodes"). History is written by the sending node
// only (every node shares the database). Shard-affine: every method runs on its shard.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>

#include "game/chat/chat_bus_codec.h"

namespace asobi::cluster {
class Bus;
}

namespace asobi::chat {

class ChatNode;

class ChatBridge {
 public:
  /// Runs on this shard for each message from another node on a watched channel.
  using Deliver = std::function<void(ChatMessage msg)>;
  /// `bus` and `node` must outlive the bridge; `shard` is the calling shard's id.
  ChatBridge(cluster::Bus& bus, ChatNode& node, int shard, Deliver deliver);
  /// Unsubscribes every watched channel (no handler runs after it).
  ~ChatBridge();
  ChatBridge(const ChatBridge&) = delete;
  ChatBridge& operator=(const ChatBridge&) = delete;

  /// Subscribes to `channel_id`'s subject (owner shard: this node gained subscribers).
  /// Idempotent.
  void Watch(const std::string& channel_id);
  /// Unsubscribes (owner shard: this node has no subscriber left). Unknown ids are ignored.
  void Unwatch(const std::string& channel_id);
  /// Publishes `msg` for the other nodes. Never blocks; a message the bus refuses (queue full,
  /// over NATS's max payload, stopped) is counted in ChatNode::bus_dropped, not retried.
  void Publish(const ChatMessage& msg);

  /// Channels watched by this shard (tests, metrics).
  size_t watched() const { return subs_.size(); }

 private:
  void OnBusMessage(const std::string& channel_id, std::string_view payload);

  cluster::Bus& bus_;
  ChatNode& node_;
  int shard_;
  Deliver deliver_;
  std::unordered_map<std::string, uint64_t> subs_;  // channel id -> bus subscription
};

}  // namespace asobi::chat

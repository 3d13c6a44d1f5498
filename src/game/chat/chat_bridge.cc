#include "game/chat/chat_bridge.h"

#include <utility>

#include "cluster/bus.h"
#include "game/chat/chat_service.h"

namespace asobi::chat {

ChatBridge::ChatBridge(cluster::Bus& bus, ChatNode& node, int shard, Deliver deliver)
    : bus_(bus), node_(node), shard_(shard), deliver_(std::move(deliver)) {}

ChatBridge::~ChatBridge() {
  for (const auto& [id, sub] : subs_) bus_.Unsubscribe(sub);
  node_.bus_channels.fetch_sub(int64_t(subs_.size()), std::memory_order_relaxed);
}

void ChatBridge::Watch(const std::string& channel_id) {
  if (subs_.count(channel_id) != 0) return;
  // The handler runs on this shard, and never after Unwatch/the destructor (Bus::Unsubscribe).
  uint64_t id = bus_.Subscribe(ChatSubjectOf(bus_.prefix(), channel_id), shard_,
                               [this, channel_id](std::string_view, std::string_view payload) {
                                 OnBusMessage(channel_id, payload);
                               });
  if (id == 0) return;  // the bus stopped: the node is shutting down
  subs_.emplace(channel_id, id);
  node_.bus_channels.fetch_add(1, std::memory_order_relaxed);
}

void ChatBridge::Unwatch(const std::string& channel_id) {
  auto it = subs_.find(channel_id);
  if (it == subs_.end()) return;
  bus_.Unsubscribe(it->second);
  subs_.erase(it);
  node_.bus_channels.fetch_sub(1, std::memory_order_relaxed);
}

void ChatBridge::Publish(const ChatMessage& msg) {
  auto r = bus_.Publish(ChatSubjectOf(bus_.prefix(), msg.channel_id),
                        EncodeBusMessage(bus_.node_id(), msg));
  if (r == cluster::Bus::PublishResult::kQueued) {
    node_.bus_published.fetch_add(1, std::memory_order_relaxed);
  } else {
    node_.bus_dropped.fetch_add(1, std::memory_order_relaxed);
  }
}

void ChatBridge::OnBusMessage(const std::string& channel_id, std::string_view payload) {
  std::optional<BusChatMessage> m = DecodeBusMessage(payload);
  if (!m) {
    node_.bus_refused.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  if (m->node == bus_.node_id()) return;  // our own message, echoed by NATS
  // Another channel whose id hashes to the same subject: not ours, not an error.
  if (m->msg.channel_id != channel_id) return;
  node_.bus_received.fetch_add(1, std::memory_order_relaxed);
  deliver_(std::move(m->msg));
}

}  // namespace asobi::chat

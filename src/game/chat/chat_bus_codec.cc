#include "game/chat/chat_bus_codec.h"

#include <cstdio>

#include "game/chat/channel_id.h"
#include "protocol/json_value.h"
#include "protocol/json_writer.h"

namespace asobi::chat {

std::string ChatSubjectOf(std::string_view prefix, std::string_view channel_id) {
  uint64_t h = 1469598103934665603ull;
  for (char c : channel_id) {
    h ^= uint8_t(c);
    h *= 1099511628211ull;
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
  std::string s(prefix);
  s += ".chat.";
  s += hex;
  return s;
}

std::string EncodeBusMessage(std::string_view node, const ChatMessage& msg) {
  JsonWriter w;
  w.BeginObject();
  w.Key("v");
  w.Int(1);
  w.Key("node");
  w.String(node);
  w.Key("channel_id");
  w.String(msg.channel_id);
  w.Key("sender_id");
  w.String(msg.sender_id);
  w.Key("content");
  w.String(msg.content);
  w.Key("sent_at");
  w.Int(msg.sent_at_ms);
  w.EndObject();
  return std::string(w.out());
}

std::optional<BusChatMessage> DecodeBusMessage(std::string_view payload) {
  if (payload.empty() || payload.size() > kBusPayloadBytesMax) return std::nullopt;
  // One parser per thread: decoding runs on shard threads, never concurrently on one.
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(payload.data(), payload.size(), true).get(root) != simdjson::SUCCESS) {
    return std::nullopt;
  }
  if (!IsObject(root) || GetInt(root, "v") != 1) return std::nullopt;
  auto node = GetString(root, "node");
  auto channel = GetString(root, "channel_id");
  auto sender = GetString(root, "sender_id");
  auto content = GetString(root, "content");
  auto sent_at = GetInt(root, "sent_at");
  if (!node || !channel || !sender || !content || !sent_at) return std::nullopt;
  if (node->empty() || sender->empty() || content->size() > kContentBytesMax) return std::nullopt;
  if (!ParseChannelId(*channel)) return std::nullopt;
  BusChatMessage out;
  out.node = std::string(*node);
  out.msg.channel_id = std::string(*channel);
  out.msg.sender_id = std::string(*sender);
  out.msg.content = std::string(*content);
  out.msg.sent_at_ms = *sent_at;
  return out;
}

}  // namespace asobi::chat

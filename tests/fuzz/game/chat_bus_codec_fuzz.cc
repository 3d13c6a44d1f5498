// Fuzz target: chat::DecodeBusMessage on arbitrary bytes (a cluster bus payload, issue 16
// item 3). A decoded message has a valid channel id, bounded content and a non-empty node and
// sender, and re-encodes to a payload that decodes to the same message. Must never crash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/check.h"
#include "game/chat/channel_id.h"
#include "game/chat/chat_bus_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto m = asobi::chat::DecodeBusMessage(text);
  if (!m) return 0;
  CHECK(asobi::chat::ParseChannelId(m->msg.channel_id).has_value());
  CHECK(m->msg.content.size() <= asobi::chat::kContentBytesMax);
  CHECK(!m->node.empty() && !m->msg.sender_id.empty());
  auto again = asobi::chat::DecodeBusMessage(asobi::chat::EncodeBusMessage(m->node, m->msg));
  CHECK(again.has_value());
  CHECK(again->node == m->node && again->msg.channel_id == m->msg.channel_id &&
        again->msg.sender_id == m->msg.sender_id && again->msg.content == m->msg.content &&
        again->msg.sent_at_ms == m->msg.sent_at_ms);
  return 0;
}

// The chat message as it crosses the cluster bus (issue 16 item 3): one NATS message per chat
// message and sending node, on the channel's subject. Pure functions (no bus, no shard), so
// they are unit-tested and fuzzed (tests/fuzz/chat_bus_codec_fuzz.cc).
//
// Payload: a JSON object {"v":1,"node":str,"channel_id":str,"sender_id":str,"content":str,
// "sent_at":int} (docs/decisions.md "Chat across nodes").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "game/chat/chat_service.h"

namespace asobi::chat {

/// Longest payload DecodeBusMessage reads: the longest id, sender and content, escaped, fit
/// well inside (content <= kContentBytesMax bytes, each escaped to at most 6).
inline constexpr size_t kBusPayloadBytesMax = 32 * 1024;

/// The NATS subject of `channel_id`: `<prefix>.chat.<16 hex digits of FNV-1a 64>`. Channel ids
/// may hold bytes a subject may not ('.', ' ', '*', '>'), so the subject carries a hash and the
/// payload carries the id; a receiver drops a payload whose id is not its channel's.
std::string ChatSubjectOf(std::string_view prefix, std::string_view channel_id);

/// `msg` sent from node `node` as a bus payload.
std::string EncodeBusMessage(std::string_view node, const ChatMessage& msg);

/// One decoded payload.
struct BusChatMessage {
  std::string node;  ///< the sending node
  ChatMessage msg;   ///< channel_type is left empty (receivers do not need it)
};

/// Parses a bus payload. nullopt for anything but the shape above: not JSON, over
/// kBusPayloadBytesMax, a field missing or of another type, v != 1, an invalid channel id
/// (ParseChannelId), content over kContentBytesMax, empty node or sender.
std::optional<BusChatMessage> DecodeBusMessage(std::string_view payload);

}  // namespace asobi::chat

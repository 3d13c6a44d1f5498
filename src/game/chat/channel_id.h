// Chat channel ids (websocket.md §8.1, rest.md §3.4): 1-256 bytes starting with `global:`,
// `dm:`, `world:`, `zone:`, `prox:` or `room:`. Pure parsing, any thread; the ACL is in
// chat_acl.h.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace asobi::chat {

/// Longest channel id in bytes (websocket.md §8.1; column chat_messages.channel_id).
inline constexpr size_t kChannelIdBytesMax = 256;

enum class ChannelKind { kGlobal, kDm, kWorld, kZone, kProx, kRoom };

/// A well-formed channel id, split. Views point into the parsed text.
struct ChannelRef {
  ChannelKind kind = ChannelKind::kGlobal;
  std::string_view name;   ///< global: the name after `global:` (may be empty)
  std::string_view a, b;   ///< dm: the two player ids
  std::string_view world;  ///< world/zone/prox: the world id; room: the group uuid
};

/// Parses `id`; nullopt when it is not a valid channel id: empty or over 256 bytes, an
/// unknown prefix, a `room:` id that is not a canonical lowercase hyphenated UUID, a `dm:` id
/// that is not `dm:<a>:<b>` with two non-empty ids, a `world:` id with an empty world id, or a
/// `zone:`/`prox:` id that is not `<wid>:<x>,<y>`.
std::optional<ChannelRef> ParseChannelId(std::string_view id);

/// The `dm:` channel of two players: `dm:` + the ids sorted bytewise, joined by `:` (§8.5).
std::string DmChannelId(std::string_view p1, std::string_view p2);

/// The `chat_messages.channel_type` stored for a message of `kind`: `dm` for `dm:` channels,
/// `room` for every other (on-demand) channel (rest.md §3.4).
std::string_view ChannelTypeOf(ChannelKind kind);

}  // namespace asobi::chat

// The channel ACL shared by WebSocket and REST (websocket.md §8.1, rest.md §3.4): `global:<name>`
// when a mode declares <name> in its `chat_channels`; `dm:<a>:<b>` for a or b when the other
// is an existing player; `room:<uuid>` for members of that group (group_members);
// `world:<wid>`, `zone:<wid>:<x>,<y>`, `prox:<wid>:<x>,<y>` for current members of world <wid>
// (any zone coordinates; docs/decisions.md "World chat"). Runs on the caller's shard.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "game/chat/channel_id.h"
#include "game/client.h"

namespace asobi::db {
class PgConnection;
}

namespace asobi::chat {

enum class Access { kAllowed, kDenied, kUnavailable /* database error: not_ready */ };

/// Whether a global channel name is declared by some mode (any thread).
using GlobalDeclared = std::function<bool(std::string_view name)>;
/// Whether `player_id` is currently a member of world `world_id` (the caller's shard).
using WorldMember = std::function<bool(std::string_view player_id, std::string_view world_id)>;

/// Whether the socket `ref` (of the calling shard) itself is in world `world_id` (a shard-local
/// lookup, no lock).
using SocketInWorld = std::function<bool(const ClientRef& ref, std::string_view world_id)>;

/// What the ACL asks outside the database; a null function answers "no".
struct AclSources {
  GlobalDeclared global_declared;
  WorldMember world_member;
  /// chat.send's fast path for world channels (the node-wide index takes a lock).
  SocketInWorld socket_in_world;
};

/// Decides whether `player_id` may join or send to `channel` (its text is `channel_id`);
/// `done` runs on this shard, at once or after one query on `db` (null `db`: the forms that
/// need the database are kUnavailable).
void CheckAccess(db::PgConnection* db, const AclSources& sources, const std::string& player_id,
                 const std::string& channel_id, const ChannelRef& channel,
                 std::function<void(Access)> done);

}  // namespace asobi::chat

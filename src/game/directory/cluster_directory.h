// The player directory across nodes (issue 16 item 2). On a clustered node (cluster::ThisNode()
// non-null) a frame sent to a player also reaches that player's sockets on other nodes:
//   - each node publishes presence edges (a player's first socket on the node / its last one
//     closed) on `<prefix>.all.presence`; the player's owner shard on every other node keeps
//     the set of nodes holding that player (PlayerDirectory::ApplyRemotePresence);
//   - a send goes to `<prefix>.node.<id>` of each such node, once per node; when no node is
//     known and this node has no socket either (the player connected before this node
//     joined), it goes once to `<prefix>.all.deliver`, which every node handles.
// A receiving node hands the frame to its own sockets only (never republished).
//
// Payloads are lines, not JSON, so a frame crosses the bus without re-encoding:
//   deliver:  "D1\n<from node>\n<player id>\n<frame bytes>"
//   presence: "P1\n<from node>\n<player id>\n<0|1>"
// A payload with another shape, or from a node that is not live (membership), is refused and
// counted (asobi_cluster_refused_total). Frames over the NATS max_payload are refused by the
// bus (asobi_cluster_publish_too_large_total), never truncated.
#pragma once

#include <string>
#include <string_view>

namespace asobi {
struct GameShard;
}

namespace asobi::cluster_directory {

/// A decoded deliver or presence message; views into the payload.
struct Message {
  char kind = 0;  // 'D' or 'P'
  std::string_view from;
  std::string_view player;
  std::string_view body;  // the frame (D) or "0"/"1" (P)
};

/// Encodes a deliver message: `frame` for `player`, from node `from`.
std::string EncodeDeliver(std::string_view from, std::string_view player, std::string_view frame);
/// Encodes a presence edge: `player` came `online` on node `from` (first socket) or left it.
std::string EncodePresence(std::string_view from, std::string_view player, bool online);
/// Decodes and validates; false on any shape error (fuzzed: fuzz_cluster_messages).
bool Parse(std::string_view payload, Message* out);

/// Owner shard of `player`, clustered nodes only: tell the other nodes about a presence edge.
void PublishPresence(GameShard& game, std::string_view player, bool online);
/// Publishes `frame` for `player` to node `node`; false (nothing sent) when `node` is not live.
bool PublishToNode(GameShard& game, std::string_view node, std::string_view player,
                   std::string_view frame);
/// Publishes `frame` for `player` to every other node.
void PublishToAllNodes(GameShard& game, std::string_view player, std::string_view frame);

/// Per shard, on its thread, after the directory exists (no-op without cluster): on shard 0
/// subscribes to this node's subject, `all.deliver` and `all.presence`, and routes what arrives
/// to the players' owner shards. Registers its teardown.
void WireClusterDirectory(GameShard& game);

}  // namespace asobi::cluster_directory

// The messages of cross-node matchmaking and proxied players (issue 16 item 4), on the
// subject `<prefix>.node.<id>.mm` of the node they are for. Lines, not JSON, so a match frame
// crosses the bus without re-encoding:
//
//   "Q1\n<kind>\n<from node>\n<field>\n...\n<rest>"
//
//   A  add        origin -> owner:   req_id, player, mode, skill, waited_ms; rest = properties
//   R  remove     origin -> owner:   req_id, player; rest = ticket id
//   Y  reply      owner -> origin:   req_id, reason ("" = ok), ticket_id, players_needed;
//                                    rest = already_queued "0"/"1"
//   T  status     origin -> owner:   req_id, player; rest = ticket id
//   S  status reply owner -> origin: req_id, reason ("" = ok), ticket id, mode, status,
//                                    submitted_at (unix ms), match_id; rest = properties JSON
//   G  group      owner -> placer:   mode, count, then count x (ticket id, player, origin
//                                    node, bot "0"/"1"); rest empty
//   P  placed     placer -> owner:   mode, outcome ("m" matched, "f" failed to start, "r" back
//                                    to the queue), match_id ("" unless "m"), count, then
//                                    count x ticket id; rest empty
//   F  frame      match node -> socket node: player; rest = the frame (JSON envelope)
//   B  frames     match node -> socket node, the frames of one shard's proxies for that node
//                 in one reactor turn: count; rest = count x (player "\n" length "\n"
//                 <length bytes of frame>), where a length of "=" (and no bytes) repeats the
//                 previous item's frame: a broadcast crosses the bus once per node
//   O  operation  socket node -> match node: req_id, op (I L C V X), player, match_id;
//                                    rest = body (input JSON, vote id [\n option JSON])
//   V  op reply   match node -> socket node: req_id; rest = reason ("" = accepted)
//   K  block check DM sender's node -> a node holding the recipient: req_id, sender,
//                                    recipient; rest = the dm.message frame, handed to the
//                                    recipient's sockets there when the recipient's block
//                                    list allows it; replied with V, rest "a" (allowed and
//                                    delivered), "b" (blocked) or "u" (no list held there)
//   L  block change friends route's node -> every other node: req_id, player, other,
//                                    "1" (player now blocks other) / "0" (no longer);
//                                    rest empty; replied with V once applied
//
// req_id is "<shard>.<sequence>" of the requesting shard, so the reply finds its way back.
// Parse validates every field (sizes, tokens, numbers); a message that fails, or whose sender
// is not a live node, is refused and counted (asobi_cluster_refused_total). Fuzzed:
// tests/fuzz/game/fuzz_cluster_play.cc.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace asobi::cluster_play {

/// Bounds of the fields (ours).
inline constexpr size_t kReqIdBytesMax = 32;
inline constexpr size_t kPlayerBytesMax = 128;
inline constexpr size_t kModeBytesMax = 64;
inline constexpr size_t kTicketIdBytesMax = 64;
inline constexpr size_t kGroupMax = 256;  // tickets in one G message
inline constexpr size_t kPropertiesBytesMax = 8192;
inline constexpr size_t kBatchMax = 4096;                    // frames in one B message
inline constexpr uint64_t kUnixMsMax = 253'402'300'799'999;  // 9999-12-31 (S submitted_at)

/// A decoded message; views into the payload.
struct Message {
  char kind = 0;
  std::string_view from;
  std::vector<std::string_view> fields;  // the fixed fields of the kind, in order
  std::string_view rest;                 // everything after the last field
};

/// Encodes a message of `kind` from node `from`. Fields must not contain '\n' (ids, tokens,
/// numbers); `rest` may hold anything.
std::string Encode(char kind, std::string_view from, const std::vector<std::string_view>& fields,
                   std::string_view rest);

/// Appends one (player, frame) item to the rest of a B message.
void AppendBatchItem(std::string* rest, std::string_view player, std::string_view frame);
/// Appends one (player, the previous item's frame) item to the rest of a B message; only
/// after an AppendBatchItem in the same message.
void AppendBatchRepeat(std::string* rest, std::string_view player);

/// Decodes and validates; false on any shape or field error. For B, `fields` is the count
/// followed by (player, frame) pairs and `rest` is empty.
bool Parse(std::string_view payload, Message* out);

/// "<shard>.<seq>" -> shard; -1 when malformed.
int ShardOfReqId(std::string_view req_id);

}  // namespace asobi::cluster_play

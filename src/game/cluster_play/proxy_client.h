// ProxyClient: on the node that runs a match, the stand-in for a player whose sockets are on
// another node (issue 16 item 4). The player joins the match with this client's ClientRef, so
// the match treats it like a socket; every frame the match sends it is published once to the
// player's node (an `F` message, play_wire.h), which hands it to the player's sockets there.
// Inputs, leaves, votes and socket closes come back as `O` messages and enter the match as
// this client (cluster_play.h).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "game/client.h"

namespace asobi::cluster_play {

/// Shard-affine (the match's owner shard). Owned by that shard's ClusterPlay state.
class ProxyClient final : public Client {
 public:
  /// Proxy ClientRefs use connection indexes in [kIndexBase, kIndexEnd), which real sockets
  /// (small indexes) and bots (from 0x80000000) never use.
  static constexpr uint32_t kIndexBase = 0x40000000u;
  static constexpr uint32_t kIndexEnd = 0x80000000u;
  static bool IsProxyRef(const ClientRef& ref) {
    return ref.index >= kIndexBase && ref.index < kIndexEnd;
  }

  /// Where frames go: (origin node, player, frame), on this shard (ClusterPlay batches them
  /// per node per reactor turn).
  using Sink = std::function<void(const std::string& origin, const std::string& player,
                                  std::string_view frame)>;

  /// `origin`: the node holding the player's sockets; `created_ms`: MonoMs() at creation.
  ProxyClient(ClientRef ref, std::string player_id, std::string origin, int64_t created_ms,
              Sink sink);

  /// Client: frames are published to the origin node (a complete WebSocket frame is unwrapped
  /// to its JSON first); errors and closes are not forwarded (the origin node answers its own
  /// requests); peer_ip() is "proxy".
  void SendFrame(std::string_view json) override;
  void SendEncoded(const SharedBuffer& ws_frame) override;
  void SendError(std::string_view, const std::string*, std::string_view,
                 std::string_view) override {}
  void Close(uint16_t, std::string_view) override { finished_ = true; }
  ClientRef ref() const override { return ref_; }
  const std::string& peer_ip() const override;
  void BindPlayer(std::string player_id, bool) override { player_id_ = std::move(player_id); }

  const std::string& origin() const { return origin_; }
  int64_t created_ms() const { return created_ms_; }
  /// The match it was told about by `match.matched` ("" before), and whether that match sent
  /// `match.finished` (the proxy is then swept).
  const std::string& match_id() const { return match_id_; }
  bool finished() const { return finished_; }
  /// Frames published so far.
  uint64_t frames() const { return frames_; }

 private:
  ClientRef ref_;
  std::string origin_;
  int64_t created_ms_;
  Sink sink_;
  std::string match_id_;
  bool finished_ = false;
  uint64_t frames_ = 0;
};

/// The `match_id` string field of a frame's payload ("" when absent); for the pushes the
/// server itself writes (`{"type":..,"payload":{"match_id":"<id>",...`), ids without escapes.
std::string_view FrameMatchId(std::string_view frame);
/// Whether `frame` (a JSON envelope written by this server) is a push of `type`.
bool IsPush(std::string_view frame, std::string_view type);

}  // namespace asobi::cluster_play

// BotClient: the "socket" of a bot (lua.md §10). A bot joins its match with this client's
// ClientRef, so it receives the same frames a player's socket would (its per-player
// `match.state`, `match.finished`, `match.vote_start`...), and its inputs go through the same
// match.input path. It keeps only what the bot needs: the latest view and whether the match
// ended.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "game/client.h"

namespace asobi::bots {

/// Shard-affine (the bot's match's owner shard). Owned by the BotRunner.
class BotClient final : public Client {
 public:
  /// `ref`: the bot's address (index >= BotRunner::kBotIndexBase); `bot_id` is its player id.
  BotClient(ClientRef ref, std::string bot_id);

  /// Client: frames are parsed for the view and the end of the match instead of sent; errors
  /// are ignored, Close() marks the bot finished, peer_ip() is "bot", BindPlayer keeps the id.
  void SendFrame(std::string_view json) override { OnFrame(json); }
  /// Takes a complete server WebSocket text frame (header + JSON).
  void SendEncoded(const SharedBuffer& ws_frame) override;
  void SendError(std::string_view, const std::string*, std::string_view,
                 std::string_view) override {}
  void Close(uint16_t, std::string_view) override { finished_ = true; }
  ClientRef ref() const override { return ref_; }
  const std::string& peer_ip() const override;
  void BindPlayer(std::string player_id, bool) override { player_id_ = std::move(player_id); }

  /// The payload of the latest `match.state` (a JSON object), empty before the first.
  const std::string& view() const { return view_; }
  /// A `match.state` arrived since the last TakeFresh().
  bool TakeFresh() {
    bool f = fresh_;
    fresh_ = false;
    return f;
  }
  /// `match.finished` arrived (or the client was closed): the bot stops.
  bool finished() const { return finished_; }
  /// A `match.vote_start` arrived and no `match.state` since (lua.md §10: no input then).
  bool vote_pending() const { return vote_pending_; }

  /// A vote this bot has not voted in yet (lua.md §10: a random option after 1-4 s).
  struct PendingBallot {
    std::string vote_id;
    std::vector<std::string> option_ids;
    bool approval = false;  // the ballot is a list (approval, ranked)
  };
  /// Ballots waiting to be cast (oldest first); the runner takes them.
  std::vector<PendingBallot>& ballots() { return ballots_; }

  /// Handles one JSON frame (exposed for tests).
  void OnFrame(std::string_view json);

 private:
  static constexpr size_t kBallotsMax = 16;  // as many as a match may have open votes
  void NoteVoteStart(std::string_view json);

  ClientRef ref_;
  std::string view_;
  bool fresh_ = false;
  bool finished_ = false;
  bool vote_pending_ = false;
  std::vector<PendingBallot> ballots_;
};

/// The JSON text inside a server (unmasked) WebSocket frame, or empty when `frame` is not a
/// complete single text frame.
std::string_view WsFramePayload(std::string_view frame);

}  // namespace asobi::bots

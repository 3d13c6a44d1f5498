// MatchmakerSetup: wires the matchmaker (websocket.md §6, rest.md §3.11) and bots (lua.md §10)
// into the server on top of the match runtime (MatchSetup): reads every mode's bot config
// once, creates the node-wide MatchmakerNode, and on each shard a Matchmaker (placing groups
// through MatchService::CreateAndJoin) and a BotRunner (bots are clients of their match's
// shard: GameShard::find_client is extended to find them), plus handlers, routes and the
// disconnect hook. On a clustered node it also builds ClusterPlay (cross-node matchmaking and
// proxied players, game/cluster_play/cluster_play.h) and, with a database, the seat claims
// (game/cluster_play/seat_claims.h).
#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include "game/bots/bot_catalog.h"
#include "game/bots/bot_runner.h"
#include "game/cluster_play/cluster_play.h"
#include "game/cluster_play/seat_claims.h"
#include "game/match/shard_match_host.h"
#include "game/matchmaker/matchmaker.h"
#include "server/match_setup.h"

namespace asobi {

/// A local of main() for the server's lifetime, declared after the MatchSetup it borrows.
class MatchmakerSetup {
 public:
  /// Registers handlers/routes and chains an init_shard hook (after MatchSetup's, which it
  /// needs). Reads the bot scripts (blocking): call before Server::Start.
  MatchmakerSetup(ServerShared& shared, MatchSetup& matches);
  /// Destroys the per-shard services (after the shards stopped).
  ~MatchmakerSetup();

 private:
  void InitShard(ServerShard& s);

  ServerShared& shared_;
  MatchSetup& matches_;
  std::shared_ptr<const bots::BotCatalog> catalog_;
  std::once_flag node_once_;
  std::unique_ptr<matchmaker::MatchmakerNode> node_;
  std::vector<std::unique_ptr<match::ShardMatchHost>> hosts_;
  std::vector<std::unique_ptr<bots::BotRunner>> bots_;
  std::vector<std::unique_ptr<matchmaker::Matchmaker>> matchmakers_;
  // Clustered nodes only (issue 16 item 4): one queue per mode for the cluster, proxies.
  std::unique_ptr<cluster_play::ClusterPlay> cluster_play_;
  // Clustered nodes with a database: seat claims (docs/decisions.md "Seat claims").
  std::unique_ptr<cluster_play::SeatClaimsNode> seats_node_;
  std::vector<std::unique_ptr<cluster_play::SeatClaims>> seats_;
};

}  // namespace asobi

#include "server/matchmaker_setup.h"

#include <unordered_set>

#include "base/log.h"
#include "cluster/node.h"
#include "game/directory/player_directory.h"
#include "game/match/match_service.h"
#include "game/matchmaker/matchmaker_handlers.h"
#include "game/matchmaker/matchmaker_routes.h"

namespace asobi {
namespace {

// The matchmaker's view of a mode: the registry's current config plus its bot settings.
matchmaker::ModeLookup MakeModeLookup(modes::ModeRegistry* registry,
                                      std::shared_ptr<const bots::BotCatalog> catalog) {
  return [registry, catalog](const std::string& name) -> std::optional<matchmaker::ModeInfo> {
    std::shared_ptr<const modes::ModeSet> set = registry->Current();
    std::shared_ptr<const modes::ModeConfig> m = set->Find(name);
    if (!m || m->is_world) return std::nullopt;  // world-backed matchmaking is not built yet
    matchmaker::ModeInfo info;
    info.name = m->name;
    info.match_size = m->match_size;
    info.max_players = m->max_players;
    info.strategy = m->strategy;
    if (const bots::BotModeConfig* b = catalog->Find(name); b && b->queue_fill) {
      info.bot_target = b->fill_target;
      info.bot_names = b->names;
    }
    return info;
  };
}

// Places one group on this shard through the match runtime; bots get a BotClient first so
// they join with a "socket" of their own.
void PlaceGroup(const std::string& mode, const std::string& match_id,
                std::vector<matchmaker::PlacedPlayer> players,
                std::function<void(matchmaker::PlacementResult)> done) {
  match::MatchService* service = match::MatchService::OnThisShard();
  bots::BotRunner* runner = bots::BotRunner::OnThisShard();
  if (service == nullptr)
    return done(matchmaker::PlacementResult{"match_start_failed", "", {}, {}});
  std::vector<match::PlacedMember> members;
  std::vector<std::pair<std::string, ClientRef>> bot_refs;
  for (matchmaker::PlacedPlayer& p : players) {
    match::PlacedMember m{p.player_id, std::move(p.clients)};
    if (p.bot && runner != nullptr) {
      ClientRef ref = runner->Create(mode, p.player_id);
      m.clients = {ref};
      bot_refs.emplace_back(p.player_id, ref);
    }
    members.push_back(std::move(m));
  }
  service->CreateAndJoin(
      mode, std::move(members),
      [done, bot_refs](match::GroupPlacement g) {
        bots::BotRunner* runner = bots::BotRunner::OnThisShard();
        std::unordered_set<std::string> joined(g.joined.begin(), g.joined.end());
        for (const auto& [id, ref] : bot_refs) {
          if (runner == nullptr) break;
          if (g.reason.empty() && joined.count(id)) {
            runner->Start(ref, g.match_id);
          } else {
            runner->Destroy(ref);
          }
        }
        done(matchmaker::PlacementResult{g.reason, g.match_id, g.joined, g.refused});
      },
      match_id);
}

}  // namespace

MatchmakerSetup::MatchmakerSetup(ServerShared& shared, MatchSetup& matches)
    : shared_(shared), matches_(matches) {
  catalog_ = bots::BotCatalog::Build(*matches.modes().Current());
  // game.bots.add / remove (lua.md §9): bots of the calling shard's runner.
  matches.node().bot_hooks.create = [](const std::string& mode, const std::string& bot_id) {
    bots::BotRunner* r = bots::BotRunner::OnThisShard();
    return r != nullptr ? r->Create(mode, bot_id) : ClientRef{};
  };
  matches.node().bot_hooks.start = [](const ClientRef& ref, const std::string& match_id) {
    if (bots::BotRunner* r = bots::BotRunner::OnThisShard()) r->Start(ref, match_id);
  };
  matches.node().bot_hooks.destroy = [](const ClientRef& ref) {
    if (bots::BotRunner* r = bots::BotRunner::OnThisShard()) r->Destroy(ref);
  };
  // Indexed by shard id: sized from the real shard count (never a fixed maximum).
  const size_t shards = size_t(ResolvedShardCount(shared.config));
  hosts_.resize(shards);
  bots_.resize(shards);
  matchmakers_.resize(shards);
  seats_.resize(shards);
  matchmaker::RegisterMatchmakerHandlers(shared.ws_registry);
  matchmaker::RegisterMatchmakerRoutes(shared.http_api);
  auto previous = shared.init_shard;
  shared.init_shard = [this, previous](ServerShard& s) {
    if (previous) previous(s);
    InitShard(s);
  };
  // SIGTERM: queued tickets leave with their removal push, so that players re-queue elsewhere.
  shared.drain_steps.push_back([](ServerShard&) {
    if (matchmaker::Matchmaker* m = matchmaker::Matchmaker::OnThisShard()) m->DropAllTickets();
  });
  // The node is created by the first shard's init, which every shard passes (call_once)
  // before it serves a request.
  shared.metrics_writers.push_back([this](std::string* out) {
    const int64_t n = node_ ? node_->pending_tickets() : 0;
    *out +=
        "# HELP asobi_matchmaker_tickets Pending matchmaker tickets of players (bots "
        "excluded).\n# TYPE asobi_matchmaker_tickets gauge\nasobi_matchmaker_tickets " +
        std::to_string(n) + "\n";
    if (cluster_play_) cluster_play_->AppendMetrics(out);
    if (seats_node_) seats_node_->AppendMetrics(out);
  });
}

MatchmakerSetup::~MatchmakerSetup() {
  cluster_play_.reset();
  matchmakers_.clear();
  seats_.clear();
  bots_.clear();
  hosts_.clear();
}

void MatchmakerSetup::InitShard(ServerShard& s) {
  std::call_once(node_once_, [&] {
    const Config& c = shared_.config;
    matchmaker::MatchmakerOptions o;
    o.tick_ms = c.matchmaker_tick_ms;
    o.max_wait_ms = c.matchmaker_max_wait_ms;
    o.queue_max = c.matchmaker_queue_max;
    o.bot_fill_ms = c.bot_fill_ms;
    node_ = std::make_unique<matchmaker::MatchmakerNode>(
        o, MakeModeLookup(&matches_.modes(), catalog_), s.shard.set().size());
    if (cluster::ClusterNode* cluster = cluster::ThisNode()) {
      cluster_play_ = std::make_unique<cluster_play::ClusterPlay>(*cluster, *node_, matches_.node(),
                                                                  s.shard.set().size());
      if (s.game.db != nullptr) {
        seats_node_ = std::make_unique<cluster_play::SeatClaimsNode>(
            cluster->bus->node_id(), shared_.config.cluster_seat_lease_ms);
        // A player who leaves a match (or whose match ends) gives back its seat.
        matches_.node().seat_released = [](const std::string& player, const std::string& match) {
          if (cluster_play::SeatClaims* c = cluster_play::SeatClaims::OnThisShard()) {
            c->Release(player, match);
          }
        };
      }
    }
  });
  const size_t i = size_t(s.shard.id());
  hosts_[i] = std::make_unique<match::ShardMatchHost>(s.game);
  bots_[i] = std::make_unique<bots::BotRunner>(*hosts_[i], catalog_);
  bots::BotRunner* runner = bots_[i].get();
  // Bots are clients of this shard too (their frames arrive like a socket's).
  auto sockets = s.game.find_client;
  s.game.find_client = [sockets, runner](const ClientRef& ref) -> Client* {
    if (bots::BotRunner::IsBotRef(ref)) return runner->Find(ref);
    return sockets ? sockets(ref) : nullptr;
  };
  match::MatchNode* mnode = &matches_.node();
  matchmaker::MatchmakerDeps deps;
  deps.place = &PlaceGroup;
  deps.in_match = [mnode](const std::string& player) { return mnode->PlayerInMatch(player); };
  deps.shard_load = [mnode](int shard) { return mnode->shard_load(shard); };
  deps.sockets_of = [](std::vector<std::string> players,
                       matchmaker::MatchmakerDeps::SocketsDone done) {
    directory::PlayerDirectory* d = directory::PlayerDirectory::OnThisShard();
    if (d == nullptr) {
      done(std::vector<std::vector<ClientRef>>(players.size()));
      return;
    }
    d->Lookup(std::move(players), std::move(done));
  };
  deps.notify_player = [](const std::string& player_id, const std::string& frame) {
    if (directory::PlayerDirectory* d = directory::PlayerDirectory::OnThisShard()) {
      d->SendToPlayer(player_id, frame, true);  // bounded by tickets: never dropped
    }
  };
  if (seats_node_ && s.game.db != nullptr) {
    seats_[i] = std::make_unique<cluster_play::SeatClaims>(*seats_node_, s.shard, *s.game.db);
    if (i == 0) seats_[i]->StartHeartbeat();
    // Before the database connection goes (teardown steps run in reverse order).
    std::unique_ptr<cluster_play::SeatClaims>* slot = &seats_[i];
    s.game.AddTeardown([slot] {
      if (*slot) (*slot)->Stop();
      slot->reset();
    });
    deps.claim_seats = [](std::vector<std::string> players, std::string match_id,
                          matchmaker::MatchmakerDeps::SeatsDone done) {
      cluster_play::SeatClaims* c = cluster_play::SeatClaims::OnThisShard();
      if (c == nullptr) return done(MakeError("shutting_down", "seat claims stopped"));
      c->Claim(std::move(players), std::move(match_id), std::move(done));
    };
    deps.release_seats = [](std::vector<std::string> players, std::string match_id) {
      cluster_play::SeatClaims* c = cluster_play::SeatClaims::OnThisShard();
      if (c == nullptr) return;
      for (const std::string& p : players) c->Release(p, match_id);
    };
  }
  matchmakers_[i] = std::make_unique<matchmaker::Matchmaker>(*node_, *hosts_[i], std::move(deps));
  matchmaker::AddMatchmakerCloseHook(s.game);
  if (cluster_play_) cluster_play_->WireShard(s.game);
}

}  // namespace asobi

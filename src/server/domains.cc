#include "server/domains.h"

#include <memory>

#include "game/chat/chat.h"
#include "game/directory/directory.h"
#include "game/domain.h"
#include "game/economy/economy.h"
#include "game/iap/iap.h"
#include "game/leaderboard/leaderboard.h"
#include "game/modes/mode_registry.h"
#include "game/notification/notification.h"
#include "game/oauth/oauth.h"
#include "game/ops/ops.h"
#include "game/ops/ops_console_edits.h"
#include "game/presence/presence.h"
#include "game/rpc/rpc.h"
#include "game/saves/saves.h"
#include "game/season/season.h"
#include "game/social/social.h"
#include "game/tournament/tournament.h"
#include "game/world/runtime/world_service.h"
#include "game/world/runtime/worlds.h"

namespace asobi {
namespace {

iap::IapOptions IapOptionsFrom(const Config& c) {
  iap::IapOptions o;
  o.apple_bundle_id = c.iap_apple_bundle_id;
  o.apple_root_certs_path = c.iap_apple_root_certs;
  o.google_package_name = c.iap_google_package_name;
  o.google_service_account_path = c.iap_google_service_account;
  o.google_api_base = c.iap_google_api_base;
  o.google_token_uri = c.iap_google_token_uri;
  o.http_timeout_ms = c.iap_http_timeout_ms;
  o.workers = c.iap_workers;
  return o;
}

leaderboard::LeaderboardConfig LeaderboardConfigFrom(const Config& c) {
  leaderboard::LeaderboardConfig o;
  o.service.max_boards = c.leaderboard_max_boards;
  o.service.flush_interval_ms = c.leaderboard_flush_ms;
  o.client_submit = c.leaderboard_client_submit;
  return o;
}

// `global:<name>` is declared when any current mode lists <name> in `chat_channels`.
chat::ChatOptions ChatOptionsFrom(const Config& c, modes::ModeRegistry* registry) {
  chat::ChatOptions o;
  o.history_rows_max = size_t(c.chat_history_buffer_rows);
  // `world:`/`zone:`/`prox:` channels: the player is in that world now (every shard has a
  // WorldService; its node index is the one world.join/world.leave keep).
  o.world_member = [](std::string_view player_id, std::string_view world_id) {
    world::WorldService* w = world::WorldService::OnThisShard();
    return w != nullptr && !world_id.empty() &&
           w->node().WorldOf(std::string(player_id)) == world_id;
  };
  o.socket_in_world = [](const ClientRef& ref, std::string_view world_id) {
    world::WorldService* w = world::WorldService::OnThisShard();
    const std::string* in = w != nullptr ? w->ClientWorld(ref) : nullptr;
    return in != nullptr && *in == world_id;
  };
  if (registry == nullptr) return o;
  o.global_declared = [registry](std::string_view name) {
    std::shared_ptr<const modes::ModeSet> set = registry->Current();
    for (const auto& [mode_name, mode] : set->modes) {
      for (const std::string& c : mode->chat_channels) {
        if (c == name) return true;
      }
    }
    return false;
  };
  return o;
}

// GET /ops/features: the node's switches an operator may want to see (never secrets).
std::string OpsFeaturesJson(const Config& c) {
  auto b = [](bool v) { return v ? std::string("true") : std::string("false"); };
  return "{\"console\":" + b(c.console) + ",\"ops_tokens\":" + b(c.ops_token_secret.size() >= 32) +
         ",\"storage\":" + b(c.storage) + ",\"binary_wire\":" + b(c.binary_wire) +
         ",\"guest_auth_flag\":" + b(c.guest_auth) +
         ",\"ws_legacy_game_frames\":" + b(c.ws_legacy_game_frames) +
         ",\"oidc\":" + b(!c.oidc_providers.empty()) + ",\"steam\":" + b(!c.steam_api_key.empty()) +
         ",\"iap_apple\":" + b(!c.iap_apple_bundle_id.empty()) +
         ",\"iap_google\":" + b(!c.iap_google_package_name.empty()) +
         ",\"leaderboard_client_submit\":" + std::to_string(c.leaderboard_client_submit.size()) +
         "}";
}

}  // namespace

void RegisterDomains(ServerShared& shared) {
  shared.domains =
      std::make_unique<DomainContext>(shared.http_api, shared.ws_registry, shared.metrics_writers);
  DomainContext& ctx = *shared.domains;
  const Config& c = shared.config;
  (void)c;
  (void)ctx;
  // One line per domain, in dependency order (a domain's steps may use the services of the
  // domains above it on the same shard):
  //   RegisterChat(ctx, ChatOptionsFrom(c));
  directory::RegisterDirectory(ctx);
  chat::RegisterChat(ctx, ChatOptionsFrom(c, shared.modes));
  economy::RegisterEconomy(ctx, economy::EconomyOptions{});
  std::function<void()> stop_iap = iap::RegisterIap(ctx, IapOptionsFrom(c));
  std::function<void()> flush_boards =
      leaderboard::RegisterLeaderboards(ctx, LeaderboardConfigFrom(c));
  social::RegisterSocial(ctx, social::SocialOptions{});
  notification::RegisterNotifications(ctx, notification::NotificationOptions{});
  tournament::RegisterTournaments(ctx, tournament::TournamentOptions{c.tournament_tick_ms});
  saves::RegisterSaves(ctx, c.storage);
  presence::RegisterPresence(ctx);
  rpc::RegisterRpc(ctx, rpc::RpcOptions{shared.modes, c.ws_legacy_game_frames});
  std::function<void()> stop_oauth = oauth::RegisterOauth(
      ctx, oauth::OauthOptions{c.oidc_providers, c.oauth_workers, c.steam_api_key, c.steam_app_id,
                               c.steam_api_base});
  season::RegisterSeasons(ctx, season::SeasonOptions{c.seasons_file, c.season_tick_ms});
  ops::RegisterOps(ctx, ops::OpsOptions{c.ops_secret, c.ops_token_secret, c.console,
                                        OpsFeaturesJson(c), shared.modes});
  ops::RegisterConsoleModerationRoutes(ctx.http_api());  // the console's edits beyond §3.14
  ops::RegisterConsoleStoreRoutes(ctx.http_api());
  std::function<void()> save_worlds =
      world::RegisterWorlds(ctx, world::WorldsOptions{shared.modes, ResolvedShardCount(c), {}});

  // Worker pools of the domains stop before the shards tear their services down.
  auto previous_stop = shared.before_stop;
  shared.before_stop = [previous_stop, stop_iap, flush_boards, stop_oauth, save_worlds] {
    if (previous_stop) previous_stop();
    stop_iap();
    stop_oauth();
    flush_boards();  // changed leaderboard entries reach the database before the shards stop
    save_worlds();   // zones of persistent worlds are snapshotted and written likewise
  };

  auto previous = shared.init_shard;
  DomainContext* domains = shared.domains.get();
  shared.init_shard = [previous, domains](ServerShard& s) {
    if (previous) previous(s);
    domains->RunShardSteps(s.game);
  };
}

}  // namespace asobi

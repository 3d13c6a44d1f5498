#include "server/match_setup.h"

#include <cstdio>
#include <string>

#include "base/log.h"
#include "game/match/match_handlers.h"
#include "game/match/match_routes.h"
#include "game/modes/mode_loader.h"
#include "game/world/runtime/world_service.h"
#include "script/callback_failures.h"
#include "script/game_api/kv.h"

namespace asobi {
namespace {

match::MatchOptions OptionsFrom(const Config& c) {
  match::MatchOptions o;
  o.match_max = c.match_max;
  o.veto_tokens_per_player = c.vote_veto_tokens;
  o.dev_errors = c.dev_errors;
  o.reload_enabled = c.lua_reload != "off";
  o.lua_jit = c.lua_jit;
  o.legacy_game_frames = c.ws_legacy_game_frames;
  o.overrun_limit = c.lua_overrun_limit;
  o.overrun_window_ms = c.lua_overrun_window_ms;
  o.lua_node_max_bytes = ResolvedLuaNodeMaxBytes(c);
  o.storage = c.storage;
  return o;
}

}  // namespace

MatchSetup::MatchSetup(ServerShared& shared) : shared_(shared) {
  shared.modes = &registry_;
  const Config& c = shared.config;
  script::game_api::SetKvLimits(c.kv_ttl_seconds, c.kv_max_keys);
  game_dir_ = c.game_dir.empty() ? modes::DefaultGameDir() : c.game_dir;
  Result<modes::ModeSet> set = modes::LoadModes(game_dir_);
  if (set.ok()) {
    std::string names;
    for (const auto& [name, mode] : set->modes) names += (names.empty() ? "" : ",") + name;
    LOG_INFO("lua modes loaded").KV("game_dir", game_dir_).KV("modes", names);
    registry_.Publish(std::make_shared<const modes::ModeSet>(std::move(set.value())));
  } else {
    LOG_ERROR("lua modes failed to load; no modes registered")
        .KV("game_dir", game_dir_)
        .KV("reason", set.error().message);
  }
  // The real shard count: least-loaded placement must never pick a shard that does not run.
  node_ = std::make_unique<match::MatchNode>(OptionsFrom(c), &registry_, ResolvedShardCount(c));
  // Indexed by shard id: sized from the real shard count (never a fixed maximum).
  hosts_.resize(size_t(ResolvedShardCount(c)));
  services_.resize(size_t(ResolvedShardCount(c)));
  match::RegisterMatchHandlers(shared.ws_registry);
  match::RegisterMatchRoutes(shared.http_api);
  auto previous = shared.init_shard;
  shared.init_shard = [this, previous](ServerShard& s) {
    if (previous) previous(s);
    const size_t i = size_t(s.shard.id());
    hosts_[i] = std::make_unique<match::ShardMatchHost>(s.game);
    services_[i] = std::make_unique<match::MatchService>(*hosts_[i], *node_);
    s.game.on_client_closed.push_back([](Client& client) { match::OnMatchClientClosed(client); });
    s.game.on_client_authenticated.push_back(
        [](Client& client) { match::OnMatchClientAuthenticated(client); });
  };
  match::MatchNode* node = node_.get();
  // The SIGTERM drain waits for these to finish (docs/decisions.md "SIGTERM drain").
  shared.live_matches = [node] { return node->live_matches(); };
  shared.metrics_writers.push_back([node](std::string* out) {
    *out +=
        "# HELP asobi_matches_live Live matches (created, not yet destroyed).\n"
        "# TYPE asobi_matches_live gauge\nasobi_matches_live " +
        std::to_string(node->live_matches()) + "\n";
    *out +=
        "# HELP asobi_matches_created_total Matches created.\n"
        "# TYPE asobi_matches_created_total counter\nasobi_matches_created_total " +
        std::to_string(node->metrics().matches_created.load(std::memory_order_relaxed)) + "\n";
    script::NodeCallbackFailures().Write(out);  // matches, worlds, RPC and ops scripts
  });
  // Issue 13 (bench/README.md "Issue 13: arena"): how late each match tick started, per shard.
  // The histogram has one writer (its shard) and relaxed-atomic reads (reactor/histogram.h).
  shared.metrics_writers.push_back([this](std::string* out) {
    static const uint64_t kEdgesUs[] = {100,   250,   500,   1000,  2000,   3000,   5000,   7500,
                                        10000, 15000, 20000, 50000, 100000, 250000, 1000000};
    *out +=
        "# HELP asobi_match_tick_lateness_seconds How late each Lua match tick started.\n"
        "# TYPE asobi_match_tick_lateness_seconds histogram\n";
    for (size_t i = 0; i < services_.size(); ++i) {
      if (!services_[i]) continue;
      const Histogram& h = services_[i]->tick_lateness_us();
      std::string shard = "shard=\"" + std::to_string(i) + "\"";
      for (uint64_t edge : kEdgesUs) {
        char le[32];
        snprintf(le, sizeof le, "%g", double(edge) / 1e6);
        *out += "asobi_match_tick_lateness_seconds_bucket{" + shard + ",le=\"" + le + "\"} " +
                std::to_string(h.CountAtOrBelow(edge)) + "\n";
      }
      *out += "asobi_match_tick_lateness_seconds_bucket{" + shard + ",le=\"+Inf\"} " +
              std::to_string(h.count()) + "\n";
      char sum[32];
      snprintf(sum, sizeof sum, "%.6f", double(h.sum()) / 1e6);
      *out += "asobi_match_tick_lateness_seconds_sum{" + shard + "} " + sum + "\n";
      *out += "asobi_match_tick_lateness_seconds_count{" + shard + "} " +
              std::to_string(h.count()) + "\n";
    }
  });
  node_->post_to_shard = [this](int shard, Task fn) {
    if (shared_.shards != nullptr && shard < shared_.shards->size()) {
      shared_.shards->shard(shard).PostFromAnyThread(std::move(fn));
    }
  };
}

MatchSetup::~MatchSetup() {
  watcher_.reset();
  services_.clear();
  hosts_.clear();
}

void MatchSetup::StartWatcher() {
  if (!node_->options().reload_enabled) return;
  match::MatchNode* node = node_.get();
  ServerShared* shared = &shared_;
  watcher_ = std::make_unique<modes::ModeWatcher>(
      game_dir_, &registry_, [node, shared](std::shared_ptr<const modes::ChangedFiles> files) {
        const int n = shared->shards ? shared->shards->size() : 0;
        for (int i = 0; i < n; ++i) {
          node->post_to_shard(i, [files] {
            if (auto* s = match::MatchService::OnThisShard()) s->OnScriptsChanged(*files);
            if (auto* w = world::WorldService::OnThisShard()) w->OnScriptsChanged(*files);
          });
        }
      });
  Status st = watcher_->Start();
  if (!st.ok()) {
    LOG_WARN("lua mode watcher not started").KV("reason", st.error().message);
    watcher_.reset();
  }
}

}  // namespace asobi

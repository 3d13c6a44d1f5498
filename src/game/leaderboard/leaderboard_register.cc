#include <chrono>
#include <cstdio>
#include <memory>
#include <thread>

#include "base/clock.h"
#include "game/auth/erasure_hooks.h"
#include "game/leaderboard/leaderboard.h"
#include "game/leaderboard/leaderboard_lua_backend.h"
#include "game/leaderboard/leaderboard_routes.h"
#include "script/game_api/api_backends.h"

namespace asobi::leaderboard {
namespace {

constexpr int64_t kShutdownFlushMs = 5000;

// Flushes every shard's boards on its own thread and waits for all of them (bounded).
void FlushEverywhere(const std::shared_ptr<LeaderboardNode>& node) {
  std::vector<std::pair<Shard*, LeaderboardService*>> services;
  {
    std::lock_guard<std::mutex> lock(node->mu);
    services = node->services;
  }
  auto done = std::make_shared<std::atomic<size_t>>(0);
  for (auto& [shard, svc] : services) {
    shard->PostFromAnyThread([svc = svc, done] { svc->FlushAll([done] { done->fetch_add(1); }); });
  }
  int64_t deadline = MonoMs() + kShutdownFlushMs;
  while (done->load() < services.size() && MonoMs() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

}  // namespace

std::function<void()> RegisterLeaderboards(DomainContext& ctx, const LeaderboardConfig& config) {
  auto policy = std::make_shared<const ClientSubmitPolicy>(
      ClientSubmitPolicy::FromList(config.client_submit));
  RegisterLeaderboardRoutes(ctx.http_api(), policy);
  auto node = std::make_shared<LeaderboardNode>(config.service);
  ctx.AddMetricsWriter([node](std::string* out) {
    int64_t dirty = 0, oldest = 0;
    {
      std::lock_guard<std::mutex> lock(node->mu);
      for (const auto& [shard, svc] : node->services) {
        dirty += svc->published_dirty_entries();
        int64_t since = svc->published_dirty_since_ms();
        if (since != 0 && (oldest == 0 || since < oldest)) oldest = since;
      }
    }
    char lag[32];
    snprintf(lag, sizeof lag, "%.3f", oldest == 0 ? 0.0 : double(MonoMs() - oldest) / 1000);
    *out +=
        "# HELP asobi_leaderboard_dirty_entries Leaderboard entries changed in memory and "
        "not yet written to the database.\n# TYPE asobi_leaderboard_dirty_entries gauge\n"
        "asobi_leaderboard_dirty_entries " +
        std::to_string(dirty) + "\n";
    *out +=
        "# HELP asobi_leaderboard_flush_lag_seconds Age of the oldest change not yet "
        "written (0 when none; 1 s resolution).\n# TYPE asobi_leaderboard_flush_lag_seconds "
        "gauge\nasobi_leaderboard_flush_lag_seconds " +
        std::string(lag) + "\n";
    *out +=
        "# HELP asobi_leaderboards_live Leaderboards held in memory.\n"
        "# TYPE asobi_leaderboards_live gauge\nasobi_leaderboards_live " +
        std::to_string(node->live_boards.load(std::memory_order_relaxed)) + "\n";
  });
  // Account erasure: every shard drops the player from its live boards (runs on the erasing
  // shard; the others through their mailboxes, never dropped).
  AddPlayerErasedHook([](const std::string& player_id) {
    Shard* here = Shard::Current();
    if (here == nullptr) return;
    if (LeaderboardService* s = LeaderboardService::OnThisShard()) s->RemovePlayer(player_id);
    for (int i = 0; i < here->set().size(); ++i) {
      if (i == here->id()) continue;
      here->SubmitReplyTo(i, [player_id] {
        if (LeaderboardService* s = LeaderboardService::OnThisShard()) s->RemovePlayer(player_id);
      });
    }
  });
  ctx.OnShardStart([node](GameShard& game) {
    if (game.db == nullptr) return;
    auto svc = std::make_shared<LeaderboardService>(*game.shard, *game.db, node);
    auto lua = std::make_shared<LeaderboardLuaBackend>(*svc);
    script::game_api::ApiBackends::OnThisShard().leaderboard = lua.get();
    {
      std::lock_guard<std::mutex> lock(node->mu);
      node->services.emplace_back(game.shard, svc.get());
    }
    game.AddTeardown([node, svc, lua]() mutable {
      script::game_api::ApiBackends::OnThisShard().leaderboard = nullptr;
      lua.reset();
      {
        std::lock_guard<std::mutex> lock(node->mu);
        std::erase_if(node->services, [&](auto& p) { return p.second == svc.get(); });
      }
      svc.reset();
    });
  });
  return [node] { FlushEverywhere(node); };
}

}  // namespace asobi::leaderboard

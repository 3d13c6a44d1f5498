#include "game/world/runtime/worlds.h"

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "game/match/shard_match_host.h"
#include "game/schema_gate.h"
#include "game/world/runtime/world_handlers.h"
#include "game/world/runtime/world_recover.h"
#include "game/world/runtime/world_routes.h"
#include "game/world/runtime/world_service.h"
#include "reactor/shard.h"

namespace asobi::world {
namespace {

constexpr int64_t kShutdownSaveMs = 5000;

// Each shard's WorldService (for the shutdown save).
struct ShardServices {
  std::mutex mu;
  std::vector<std::pair<Shard*, WorldService*>> list;
};

// Snapshots every persistent world's zones on each shard's own thread and waits (bounded)
// until every shard's writes completed.
void SaveEverywhere(const std::shared_ptr<ShardServices>& shards) {
  std::vector<std::pair<Shard*, WorldService*>> list;
  {
    std::lock_guard<std::mutex> lock(shards->mu);
    list = shards->list;
  }
  auto done = std::make_shared<std::atomic<size_t>>(0);
  for (auto& [shard, svc] : list) {
    shard->PostFromAnyThread([svc = svc, done] { svc->SaveAll([done] { done->fetch_add(1); }); });
  }
  const int64_t deadline = MonoMs() + kShutdownSaveMs;
  while (done->load() < list.size() && MonoMs() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

}  // namespace

std::function<void()> RegisterWorlds(DomainContext& ctx, const WorldsOptions& options) {
  if (options.modes == nullptr) return [] {};  // no Lua runtime: the world family stays unknown
  auto node = std::make_shared<WorldNode>(options.node, options.modes, options.shard_count);
  auto shards = std::make_shared<ShardServices>();
  RegisterWorldHandlers(ctx.ws_registry());
  RegisterWorldRoutes(ctx.http_api());
  ctx.OnShardStart([node, shards](GameShard& game) {
    auto host = std::make_shared<match::ShardMatchHost>(game);
    auto service = std::make_shared<WorldService>(*host, game, *node);
    {
      std::lock_guard<std::mutex> lock(shards->mu);
      shards->list.emplace_back(game.shard, service.get());
    }
    // Reads persistent_worlds: only once the migrations created it.
    WhenSchemaReady([] {
      if (WorldService* s = WorldService::OnThisShard()) RecoverPersistentWorlds(*s);
    });
    game.on_client_closed.push_back([](Client& client) { OnWorldClientClosed(client); });
    game.on_client_authenticated.push_back(
        [](Client& client) { OnWorldClientAuthenticated(client); });
    // The host and service live until the shard drains (then the worlds and zones go).
    game.AddTeardown([host, service, shards]() mutable {
      {
        std::lock_guard<std::mutex> lock(shards->mu);
        std::erase_if(shards->list, [&](auto& p) { return p.second == service.get(); });
      }
      service.reset();
      host.reset();
    });
  });
  ctx.AddMetricsWriter([node](std::string* out) {
    *out +=
        "# HELP asobi_worlds_live Live worlds.\n"
        "# TYPE asobi_worlds_live gauge\nasobi_worlds_live " +
        std::to_string(node->live()) + "\n";
    *out +=
        "# HELP asobi_world_players Players in a world (joined or in reconnection grace).\n"
        "# TYPE asobi_world_players gauge\nasobi_world_players " +
        std::to_string(node->players()) + "\n";
    *out +=
        "# HELP asobi_zones_live World zones loaded on this node.\n"
        "# TYPE asobi_zones_live gauge\nasobi_zones_live " +
        std::to_string(node->zones_live.load(std::memory_order_relaxed)) + "\n";
    *out +=
        "# HELP asobi_zones_cold Loaded zones idle at their last tick (cold ticking).\n"
        "# TYPE asobi_zones_cold gauge\nasobi_zones_cold " +
        std::to_string(node->zones_cold.load(std::memory_order_relaxed)) + "\n";
  });
  return [shards] { SaveEverywhere(shards); };
}

}  // namespace asobi::world

#include <memory>
#include <string>

#include "game/presence/presence.h"
#include "game/presence/presence_handlers.h"
#include "game/presence/presence_service.h"

namespace asobi::presence {
namespace {

void Line(std::string* out, const char* name, const char* type, const char* help, int64_t v) {
  *out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n" +
          name + " " + std::to_string(v) + "\n";
}

}  // namespace

void RegisterPresence(DomainContext& ctx) {
  auto node = std::make_shared<PresenceNode>();
  RegisterPresenceHandlers(ctx.ws_registry());
  ctx.AddMetricsWriter([node](std::string* out) {
    auto r = std::memory_order_relaxed;
    Line(out, "asobi_presence_online", "gauge", "Players with at least one socket on this node.",
         node->online.load(r));
    Line(out, "asobi_presence_changes_total", "counter",
         "Presence changes (online, offline, status) resolved to friends.",
         int64_t(node->changes.load(r)));
    Line(out, "asobi_presence_queries_total", "counter",
         "Friends queries (changes_total / queries_total = changes per round trip).",
         int64_t(node->queries.load(r)));
    Line(out, "asobi_presence_pushes_dropped_total", "counter",
         "Presence changes not pushed (queue full or friends query failed).",
         int64_t(node->pushes_dropped.load(r)));
    Line(out, "asobi_presence_waiting", "gauge",
         "Presence changes waiting for their friends query or in it.", node->waiting.load(r));
  });
  ctx.OnShardStart([node](GameShard& game) {
    directory::PlayerDirectory* dir = directory::PlayerDirectory::OnThisShard();
    if (dir == nullptr) return;  // no directory: no presence (presence.update answers not_ready)
    auto service = std::make_shared<PresenceService>(*node, game, *dir, game.db);
    game.AddTeardown([service]() mutable { service.reset(); });
  });
}

}  // namespace asobi::presence

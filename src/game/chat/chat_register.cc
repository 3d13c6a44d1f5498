#include <memory>
#include <string>

#include "cluster/node.h"
#include "game/chat/chat.h"
#include "game/chat/chat_handlers.h"
#include "game/chat/chat_lua_backend.h"
#include "game/chat/chat_routes.h"
#include "game/chat/chat_service.h"
#include "script/game_api/api_backends.h"

namespace asobi::chat {
namespace {

void Line(std::string* out, const char* name, const char* type, const char* help, int64_t v) {
  *out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n" +
          name + " " + std::to_string(v) + "\n";
}

void WriteMetrics(const ChatNode& n, std::string* out) {
  auto r = std::memory_order_relaxed;
  Line(out, "asobi_chat_subscriptions", "gauge", "Chat channels joined, summed over sockets.",
       n.subscriptions.load(r));
  Line(out, "asobi_chat_messages_total", "counter", "Chat messages published (DMs included).",
       int64_t(n.messages.load(r)));
  Line(out, "asobi_dm_messages_total", "counter", "Direct messages sent (dm.send, POST /dm).",
       int64_t(n.direct_messages.load(r)));
  Line(out, "asobi_dm_block_queries_total", "counter",
       "DM block checks that asked the database (recipient's block list not in memory).",
       int64_t(n.dm_block_queries.load(r)));
  Line(out, "asobi_chat_deliveries_total", "counter", "chat.message frames written to sockets.",
       int64_t(n.deliveries.load(r)));
  Line(out, "asobi_chat_publish_dropped_total", "counter",
       "Chat hops refused by a full mailbox (message lost for that shard).",
       int64_t(n.publish_dropped.load(r)));
  Line(out, "asobi_chat_history_rows_total", "counter", "chat_messages rows inserted.",
       int64_t(n.history_rows.load(r)));
  Line(out, "asobi_chat_history_batches_total", "counter",
       "chat_messages INSERT round trips (rows_total / batches_total = rows per round trip).",
       int64_t(n.history_batches.load(r)));
  Line(out, "asobi_chat_history_dropped_total", "counter",
       "Chat messages not stored: write buffer full, or not storable.",
       int64_t(n.history_dropped.load(r)));
  Line(out, "asobi_chat_history_waiting", "gauge", "Chat rows buffered, not yet written.",
       n.history_waiting.load(r));
  Line(out, "asobi_chat_bus_channels", "gauge",
       "Chat channel subjects this node subscribes to on the cluster bus.", n.bus_channels.load(r));
  Line(out, "asobi_chat_bus_published_total", "counter",
       "Chat messages published on the cluster bus for other nodes.",
       int64_t(n.bus_published.load(r)));
  Line(out, "asobi_chat_bus_dropped_total", "counter",
       "Chat messages the cluster bus refused (queue full, too large, stopped).",
       int64_t(n.bus_dropped.load(r)));
  Line(out, "asobi_chat_bus_received_total", "counter",
       "Chat messages from other nodes fanned out on this node.", int64_t(n.bus_received.load(r)));
  Line(out, "asobi_chat_bus_refused_total", "counter",
       "Cluster bus payloads on chat subjects that were not a valid chat message.",
       int64_t(n.bus_refused.load(r)));
}

}  // namespace

void RegisterChat(DomainContext& ctx, ChatOptions options) {
  auto node = std::make_shared<ChatNode>();
  RegisterChatHandlers(ctx.ws_registry());
  RegisterChatRoutes(ctx.http_api());
  ctx.AddMetricsWriter([node](std::string* out) { WriteMetrics(*node, out); });
  AclSources declared{options.global_declared, options.world_member, options.socket_in_world};
  size_t rows_max = options.history_rows_max;
  ctx.OnShardStart([node, declared, rows_max](GameShard& game) {
    struct PerShard {
      PerShard(ChatNode& n, GameShard& g, AclSources d, size_t rows_max)
          : service(n, g, g.db, std::move(d), rows_max), lua(service) {}
      ChatService service;
      ChatLuaBackend lua;
    };
    auto state = std::make_shared<PerShard>(*node, game, declared, rows_max);
    // Clustering on: channels span the nodes (chat_bridge.h).
    if (cluster::ClusterNode* cn = cluster::ThisNode()) state->service.AttachBus(*cn->bus);
    script::game_api::ApiBackends::OnThisShard().chat = &state->lua;
    game.on_client_closed.push_back([](Client& c) {
      if (ChatService* s = ChatService::OnThisShard()) s->OnClosed(c.ref());
    });
    game.AddTeardown([state]() mutable {
      script::game_api::ApiBackends::OnThisShard().chat = nullptr;
      state.reset();
    });
  });
}

}  // namespace asobi::chat

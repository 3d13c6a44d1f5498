#include <memory>
#include <string>

#include "game/directory/cluster_directory.h"
#include "game/directory/directory.h"
#include "game/directory/player_directory.h"

namespace asobi::directory {

void RegisterDirectory(DomainContext& ctx) {
  auto node = std::make_shared<DirectoryNode>();
  ctx.AddMetricsWriter([node](std::string* out) {
    auto relaxed = std::memory_order_relaxed;
    *out += "# HELP asobi_directory_entries Authenticated sockets held by the player directory.\n";
    *out += "# TYPE asobi_directory_entries gauge\n";
    *out += "asobi_directory_entries " + std::to_string(node->entries.load(relaxed)) + "\n";
    *out += "# HELP asobi_directory_frames_delivered_total Frames sent to a player's sockets.\n";
    *out += "# TYPE asobi_directory_frames_delivered_total counter\n";
    *out += "asobi_directory_frames_delivered_total " +
            std::to_string(node->frames_delivered.load(relaxed)) + "\n";
    *out +=
        "# HELP asobi_directory_frames_dropped_total Frames for a player dropped at a full "
        "mailbox.\n";
    *out += "# TYPE asobi_directory_frames_dropped_total counter\n";
    *out += "asobi_directory_frames_dropped_total " +
            std::to_string(node->frames_dropped.load(relaxed)) + "\n";
  });
  ctx.OnShardStart([node](GameShard& game) {
    auto dir = std::make_shared<PlayerDirectory>(*node, game);
    cluster_directory::WireClusterDirectory(game);  // no-op unless clustered
    game.send_to_player = [](std::string_view player_id, std::string_view frame) {
      if (PlayerDirectory* d = PlayerDirectory::OnThisShard()) {
        d->SendToPlayer(player_id, frame, false);
      }
    };
    game.on_client_authenticated.push_back([](Client& c) {
      if (PlayerDirectory* d = PlayerDirectory::OnThisShard()) d->OnAuthenticated(c);
    });
    game.on_client_closed.push_back([](Client& c) {
      if (PlayerDirectory* d = PlayerDirectory::OnThisShard()) d->OnClosed(c);
    });
    GameShard* g = &game;
    game.AddTeardown([g, dir]() mutable {
      g->send_to_player = nullptr;
      dir.reset();
    });
  });
}

}  // namespace asobi::directory

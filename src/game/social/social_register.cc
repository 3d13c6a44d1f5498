#include <memory>
#include <string>

#include "game/auth/erasure_hooks.h"
#include "game/directory/player_directory.h"
#include "game/social/block_lists.h"
#include "game/social/social.h"
#include "game/social/social_routes.h"
#include "game/social/social_service.h"

namespace asobi::social {

void RegisterSocial(DomainContext& ctx, const SocialOptions& options) {
  (void)options;
  RegisterSocialRoutes(ctx.http_api());
  // An erased player's friendships rows are gone: drop it from the block lists in memory.
  AddPlayerErasedHook([](const std::string& player_id) { BlockLists::ReportErased(player_id); });
  ctx.OnShardStart([](GameShard& game) {
    if (game.db == nullptr) return;
    auto service = std::make_shared<SocialService>(game.shard->reactor(), *game.db);
    // DM block lists of the players owned here (block_lists.h); after the shard's directory.
    auto blocks = std::make_shared<BlockLists>(directory::PlayerDirectory::OnThisShard(),
                                               MakePgLoader(*game.db));
    game.AddTeardown([service, blocks]() mutable {
      blocks.reset();
      service.reset();
    });
  });
}

}  // namespace asobi::social

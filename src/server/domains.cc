#include "server/domains.h"

#include <memory>

#include "game/domain.h"
#include "game/economy/economy.h"

namespace asobi {

void RegisterDomains(ServerShared& shared) {
  shared.domains = std::make_unique<DomainContext>(shared.http_api, shared.ws_registry);
  DomainContext& ctx = *shared.domains;
  const Config& c = shared.config;
  (void)c;
  (void)ctx;
  // One line per domain, in dependency order (a domain's steps may use the services of the
  // domains above it on the same shard):
  //   RegisterChat(ctx, ChatOptionsFrom(c));
  economy::RegisterEconomy(ctx, economy::EconomyOptions{});

  auto previous = shared.init_shard;
  DomainContext* domains = shared.domains.get();
  shared.init_shard = [previous, domains](ServerShard& s) {
    if (previous) previous(s);
    domains->RunShardSteps(s.game);
  };
}

}  // namespace asobi

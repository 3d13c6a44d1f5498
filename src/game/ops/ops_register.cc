#include "game/ops/ops.h"
#include "game/ops/ops_auth.h"
#include "game/ops/ops_ext.h"
#include "game/ops/ops_routes.h"

namespace asobi::ops {

void RegisterOps(DomainContext& ctx, OpsOptions options) {
  auto opts = std::make_shared<const OpsOptions>(std::move(options));
  // Node-wide, lives until exit: route handlers on every shard reach it through Node().
  static OpsAuth* auth = nullptr;
  delete auth;
  auth = new OpsAuth(opts->secret, opts->token_secret.size() >= 32 ? opts->token_secret : "",
                     opts->console);
  OpsAuth::SetNode(auth);
  HttpApi& api = ctx.http_api();
  RegisterCredentialRoutes(api);
  RegisterPlayerReadRoutes(api);
  RegisterPlayerDataRoutes(api);
  RegisterDataReadRoutes(api);
  RegisterLiveRoutes(api, opts);
  RegisterExtActions(ctx, opts->modes);
}

}  // namespace asobi::ops

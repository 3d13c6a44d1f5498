#include "game/presence/presence_handlers.h"

#include <utility>

#include "game/presence/presence_service.h"
#include "protocol/frame.h"

namespace asobi::presence {
namespace {

void OnUpdate(WsContext& ctx, const Envelope& env) {
  std::optional<std::string> status = StatusOf(env.payload);
  if (!status) return ctx.client.SendError("invalid_payload", env.cid(), "presence.update", {});
  PresenceService* svc = PresenceService::OnThisShard();
  if (svc == nullptr) return ctx.client.SendError("not_ready", env.cid(), "presence.update", {});
  GameShard* game = &ctx.game;
  ClientRef ref = ctx.client.ref();
  std::optional<std::string> cid;
  if (env.has_cid) cid = env.cid_json;
  std::string payload = "{\"status\":" + *status + "}";
  svc->Update(ctx.client.player_id(), std::move(*status),
              [game, ref, cid = std::move(cid), payload = std::move(payload)] {
                Client* c = game->find_client ? game->find_client(ref) : nullptr;
                if (c == nullptr) return;
                c->SendFrame(BuildFrame("presence.updated", payload, cid ? &*cid : nullptr));
              });
}

}  // namespace

std::optional<std::string> StatusOf(JsonValue payload) {
  std::optional<JsonValue> v = GetField(payload, "status");
  if (!v) return std::string("\"online\"");
  std::string json = ToJson(*v);
  if (json.size() > kStatusBytesMax) return std::nullopt;
  return json;
}

void RegisterPresenceHandlers(MessageRegistry<WsContext>& registry) {
  registry.Register("presence.update", &OnUpdate, kNeedsAuth | kNeedsPayloadObject);
}

}  // namespace asobi::presence

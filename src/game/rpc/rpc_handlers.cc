#include "game/rpc/rpc_handlers.h"

#include <string>

#include "game/rpc/rpc_names.h"
#include "game/rpc/rpc_reply.h"
#include "game/rpc/rpc_service.h"
#include "protocol/frame.h"

namespace asobi::rpc {
namespace {

bool IsProtocolOne(JsonValue payload) {
  std::optional<JsonValue> p = GetField(payload, "protocol");
  if (!p) return false;
  if (p->is_int64()) return int64_t(*p) == 1;
  if (p->is_uint64()) return uint64_t(*p) == 1;
  if (p->is_double()) return double(*p) == 1.0;
  return false;
}

// Check 1-7 of §9.1; empty when they pass. Sets *details for check 5.
std::string_view FailedCheck(const WsContext& ctx, const Envelope& env, std::string_view* details) {
  if (!env.has_cid || !IsValidRpcCid(env.cid_json)) return "rpc.invalid_cid";
  if (!ctx.client.authenticated()) return "unauthenticated";
  if (RpcService::OnThisShard() == nullptr) return "not_ready";
  if (!env.has_payload || !IsObject(env.payload)) return "invalid_payload";
  if (!IsProtocolOne(env.payload)) {
    *details = R"({"supported":[1]})";
    return "rpc.unsupported_protocol";
  }
  if (!GetString(env.payload, "method")) return "rpc.unknown_method";
  std::optional<JsonValue> params = GetField(env.payload, "params");
  if (!params || !IsObject(*params)) return "rpc.invalid_params";
  return {};
}

void OnCall(WsContext& ctx, const Envelope& env) {
  std::string_view details;
  std::string_view failed = FailedCheck(ctx, env, &details);
  if (!failed.empty()) {
    const std::string* cid = failed == "rpc.invalid_cid" ? nullptr : env.cid();
    return ctx.client.SendFrame(BuildFrame("rpc.error", ErrorPayload(failed, {}, details), cid));
  }
  std::string_view method = *GetString(env.payload, "method");
  GameShard* game = &ctx.game;
  ClientRef ref = ctx.client.ref();
  std::string cid = *env.cid();
  // The answer may come on a later turn (a handler waiting for the database): the socket is
  // looked up again then, and gets nothing if it closed meanwhile.
  RpcService::OnThisShard()->Call(
      method, ctx.client.player_id(), *GetField(env.payload, "params"),
      [game, ref, cid = std::move(cid)](RpcOutcome out) {
        Client* c = game->find_client ? game->find_client(ref) : nullptr;
        if (c == nullptr) return;
        c->SendFrame(BuildFrame(OutcomeType(out), OutcomePayload(out), &cid));
      });
}

}  // namespace

void RegisterRpcHandlers(MessageRegistry<WsContext>& registry) {
  registry.Register("rpc.call", &OnCall, 0);
}

}  // namespace asobi::rpc

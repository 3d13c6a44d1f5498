#include "game/rpc/rpc_routes.h"

#include <string>

#include "game/rest_util.h"
#include "game/rpc/rpc_reply.h"
#include "game/rpc/rpc_service.h"
#include "protocol/json_writer.h"

namespace asobi::rpc {
namespace {

void Respond(HttpCall& call, std::string_view type, const std::string& payload, int status) {
  JsonWriter w;
  w.BeginObject();
  w.Key("type");
  w.String(type);
  w.Key("payload");
  w.Raw(payload);
  w.EndObject();
  RespondJson(call, w.Take(), status);
}

void Call(HttpCall& call) {
  std::string method(call.route.Param("method"));
  HttpCall* c = &call;
  WithPlayer(call, [c, method](const std::string& player_id) {
    RpcService* svc = RpcService::OnThisShard();
    if (svc == nullptr) return Respond(*c, "rpc.error", ErrorPayload("not_ready"), 503);
    JsonValue body;
    if (!ParseBody(*c, &body)) return;
    std::optional<JsonValue> params = GetField(body, "params");
    if (!params || !IsObject(*params)) {
      return Respond(*c, "rpc.error", ErrorPayload("rpc.invalid_params"), 400);
    }
    svc->Call(method, player_id, *params, [c](RpcOutcome out) {
      Respond(*c, OutcomeType(out), OutcomePayload(out), out.status);
    });
  });
}

}  // namespace

void RegisterRpcRoutes(HttpApi& api) { api.Add("POST", "/api/v1/rpc/:method", &Call); }

}  // namespace asobi::rpc

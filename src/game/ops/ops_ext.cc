#include "game/ops/ops_ext.h"

#include <algorithm>
#include <memory>
#include <string>

#include "base/json_escape.h"
#include "game/ops/ops_guard.h"
#include "game/rest_util.h"
#include "game/rpc/rpc_names.h"
#include "game/rpc/rpc_runtime.h"
#include "http/error_response.h"
#include "http/query.h"
#include "protocol/json_value.h"

namespace asobi::ops {
namespace {

// The ops script's runtime on one shard: an RpcRuntime (its own Lua state) kept in step with
// the `ops` global of the current config.lua.
struct ExtRuntime {
  modes::ModeRegistry* modes;
  rpc::RpcRuntime runtime;
  explicit ExtRuntime(modes::ModeRegistry* m)
      : modes(m), runtime(m != nullptr ? &m->sources() : nullptr) {
    runtime.set_failure_kind(script::ScriptKind::kOps);
  }
  void Sync() {
    if (modes != nullptr) runtime.Sync(modes->sources().Current(), modes->Current()->ops_script);
  }
};

thread_local ExtRuntime* t_ext = nullptr;
thread_local simdjson::dom::parser t_params_parser;

// {"a":"1",...} from a query string (first value of each name wins).
std::string QueryObject(std::string_view query) {
  std::string out = "{";
  std::vector<std::string> seen;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    size_t eq = pair.find('=');
    std::string name = http::PercentDecode(pair.substr(0, eq), true);
    std::string value =
        eq == std::string_view::npos ? "" : http::PercentDecode(pair.substr(eq + 1), true);
    if (!name.empty() && std::find(seen.begin(), seen.end(), name) == seen.end()) {
      if (out.size() > 1) out.push_back(',');
      AppendJsonString(&out, name);
      out.push_back(':');
      AppendJsonString(&out, value);
      seen.push_back(std::move(name));
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return out + "}";
}

void Answer(HttpCall& call, const rpc::RpcOutcome& out) {
  switch (out.kind) {
    case rpc::RpcOutcome::Kind::kOk:
      return RespondJson(call, "{\"data\":" + out.result_json + "}");
    case rpc::RpcOutcome::Kind::kUnknownMethod:
      return RespondError(call, "ops.not_found", "No such extension action.");
    case rpc::RpcOutcome::Kind::kError: {
      // A game-declared code keeps the status its script declared (rpc.register errors).
      http::HttpResponse r =
          http::ErrorResponse(out.code, out.message.empty() ? out.code : out.message,
                              out.details_json.empty() ? "{}" : out.details_json);
      r.status = out.status;
      return call.respond(std::move(r));
    }
    case rpc::RpcOutcome::Kind::kInternal:
      break;
  }
  RespondError(call, "internal");
}

void Ext(HttpCall& call) {
  std::string name =
      std::string(call.route.Param("extension")) + "." + std::string(call.route.Param("action"));
  const bool mutating = call.request.method != "GET";
  HttpCall* c = &call;
  // The class is checked after the credential, so that an unknown action and a refused one
  // look the same to a caller without rights: 403.
  WithOps(call, 0, [c, name, mutating](const OpsActor& actor) {
    JsonValue body;
    if (!ParseBody(*c, &body)) return;
    const std::string& raw = c->request.body;
    std::string params = "{\"method\":";
    AppendJsonString(&params, c->request.method);
    params += ",\"query\":" + QueryObject(c->request.query) + ",\"body\":" +
              (raw.find_first_not_of(" \t\r\n") == std::string::npos ? std::string("{}") : raw) +
              "}";
    if (t_ext == nullptr || c->game.db == nullptr) return RespondError(*c, "not_ready");
    t_ext->Sync();
    const rpc::RpcRuntime::Method* m =
        rpc::IsMethodName(name) ? t_ext->runtime.FindMethod(name) : nullptr;
    uint32_t cls = m == nullptr ? 0 : ClassFromName(m->klass.empty() ? "config" : m->klass);
    if (m != nullptr && cls == 0) return RespondError(*c, "ops.not_found");
    if ((actor.classes & cls) != cls) return RespondError(*c, "forbidden");
    if (m == nullptr) return RespondError(*c, "ops.not_found", "No such extension action.");
    JsonValue p;
    if (t_params_parser.parse(params).get(p) != simdjson::SUCCESS) {
      return RespondError(*c, "invalid_json");
    }
    db::PgConnection* db = c->game.db;
    t_ext->runtime.Call(name, actor.id, p, [c, name, actor, mutating, db](rpc::RpcOutcome out) {
      if (!mutating) return Answer(*c, out);
      AuditEntry e{"ext." + name,
                   "extension",
                   name,
                   out.kind == rpc::RpcOutcome::Kind::kOk ? "ok" : "error",
                   out.kind == rpc::RpcOutcome::Kind::kOk ? 1 : 0,
                   out.kind == rpc::RpcOutcome::Kind::kOk ? 0 : 1,
                   "{\"method\":\"" + c->request.method + "\",\"status\":" +
                       std::to_string(out.kind == rpc::RpcOutcome::Kind::kOk ? 200 : out.status) +
                       "}"};
      db::StatementCall a = AuditCall(actor, e);
      db->Execute(*a.stmt, std::move(a.params), [c, out](db::DbResult<db::PgResult> r) {
        if (!r.ok()) return RespondDbError(*c, r.error());
        Answer(*c, out);
      });
    });
  });
}

}  // namespace

void RegisterExtActions(DomainContext& ctx, modes::ModeRegistry* modes) {
  for (const char* method : {"GET", "POST", "PUT", "DELETE"}) {
    ctx.http_api().Add(method, "/ops/ext/:extension/:action", &Ext);
  }
  ctx.OnShardStart([modes](GameShard& game) {
    if (game.db == nullptr) return;
    auto ext = std::make_shared<ExtRuntime>(modes);
    t_ext = ext.get();
    game.AddTeardown([ext]() mutable {
      t_ext = nullptr;
      ext.reset();
    });
  });
}

}  // namespace asobi::ops

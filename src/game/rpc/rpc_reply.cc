#include "game/rpc/rpc_reply.h"

#include "protocol/errors.h"
#include "protocol/json_writer.h"

namespace asobi::rpc {

std::string ErrorPayload(std::string_view code, std::string_view message,
                         std::string_view details_json) {
  JsonWriter w;
  w.BeginObject();
  w.Key("error");
  WriteErrorObject(&w, code, message.empty() ? DefaultMessageForReason(code) : message,
                   details_json);
  w.EndObject();
  return w.Take();
}

std::string OkPayload(std::string_view result_json) {
  JsonWriter w;
  w.BeginObject();
  w.Key("result");
  w.Raw(result_json);
  w.EndObject();
  return w.Take();
}

std::string_view OutcomeType(const RpcOutcome& o) {
  return o.kind == RpcOutcome::Kind::kOk ? "rpc.ok" : "rpc.error";
}

std::string OutcomePayload(const RpcOutcome& o) {
  switch (o.kind) {
    case RpcOutcome::Kind::kOk:
      return OkPayload(o.result_json);
    case RpcOutcome::Kind::kUnknownMethod:
      return ErrorPayload("rpc.unknown_method");
    case RpcOutcome::Kind::kError:
      return ErrorPayload(o.code, o.message.empty() ? std::string_view(o.code) : o.message,
                          o.details_json);
    case RpcOutcome::Kind::kInternal:
      break;
  }
  return ErrorPayload("internal");
}

}  // namespace asobi::rpc

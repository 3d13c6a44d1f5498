// Encoding of `rpc.ok` / `rpc.error` payloads (websocket.md §9.1, rest.md §3.12). Any thread.
#pragma once

#include <string>
#include <string_view>

#include "game/rpc/rpc_runtime.h"

namespace asobi::rpc {

/// `{"error":{"code":..,"message":..,"details":..}}`; an empty message becomes the default
/// text for the code; empty details become `{}`.
std::string ErrorPayload(std::string_view code, std::string_view message = {},
                         std::string_view details_json = {});
/// `{"result":<result_json>}`.
std::string OkPayload(std::string_view result_json);
/// The frame type and payload for an outcome of RpcService::Call.
std::string_view OutcomeType(const RpcOutcome& o);
/// The payload JSON object for that frame (OkPayload or the error object above).
std::string OutcomePayload(const RpcOutcome& o);

}  // namespace asobi::rpc

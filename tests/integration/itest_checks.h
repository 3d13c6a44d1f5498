// Assertions shared by the integration tests: the rest.md §1.3 error envelope, the rest.md
// §4.5 security headers, and the websocket.md §4.1 error frame.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "http_client.h"
#include "json_doc.h"

namespace asobi::itest {

/// The six headers every HTTP response carries (rest.md §4.5), with their exact values.
::testing::AssertionResult HasSecurityHeaders(const HttpResponse& resp);

/// `resp` has `status`, content-type application/json and the body
/// {"error":{"code":<code>,"message":<str>,"details":<obj>}} (rest.md §1.3, DECISIONS REST 2).
/// An empty `code` accepts any non-empty code string.
::testing::AssertionResult IsErrorEnvelope(const HttpResponse& resp, int status,
                                           std::string_view code);

/// `frame` is {"type":"error","payload":{"reason":<reason>,"error":{"code":<code>,
/// "message":<str>,"details":<obj>}}} (websocket.md §4.1). `cid_json`: the expected echoed
/// cid as minified JSON, or nullopt when the frame must carry no cid.
::testing::AssertionResult IsWsError(const JsonDoc& frame, std::string_view reason,
                                     std::string_view code,
                                     const std::optional<std::string>& cid_json);

/// `frame` is a session.heartbeat reply with an integer payload.ts and the given cid (as in
/// IsWsError).
::testing::AssertionResult IsHeartbeatReply(const JsonDoc& frame,
                                            const std::optional<std::string>& cid_json);

/// The value of one series of a /metrics body in Prometheus text: `series` is the metric name
/// with its labels as written (`asobi_zones_live`, `name{a="b",c="d"}`); -1 when absent.
int64_t MetricValue(const std::string& metrics_body, const std::string& series);

}  // namespace asobi::itest

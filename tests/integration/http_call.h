// HttpCall: one JSON request on a fresh connection, the helper every REST integration suite
// uses (auth, guest, matches, matchmaking, database faults).
#pragma once

#include <cstdint>
#include <string>

#include "http_client.h"

namespace asobi::itest {

/// Sends `method path` to 127.0.0.1:`port` on a new connection, with `body` as JSON
/// (Content-Type and Content-Length on every method but GET and HEAD) and
/// `Authorization: Bearer <bearer>` when `bearer` is not empty, then reads one response within
/// `timeout_ms`. A failed connect, send or read is recorded as a test failure (gtest
/// EXPECT) and returns status 0.
HttpResponse HttpCall(uint16_t port, const std::string& method, const std::string& path,
                      const std::string& body = "", const std::string& bearer = "",
                      int timeout_ms = kIoTimeoutMs);

}  // namespace asobi::itest

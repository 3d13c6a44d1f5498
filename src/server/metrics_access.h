// Who may read /metrics (ours; upstream has none): loopback clients by default, anyone else
// only with the operator's bearer token (--metrics-token). docs/decisions.md "Connection
// limits and timeouts".
#pragma once

#include <string_view>

#include "http/http_request.h"

namespace asobi {

/// Whether `ip` (as TcpConnection::peer_ip writes it) is a loopback address: 127.0.0.0/8,
/// ::1, or an IPv4-mapped 127.x (::ffff:127.0.0.1). Pure; any thread.
bool IsLoopbackIp(std::string_view ip);

/// Whether a /metrics request may be answered. Allowed when `token` is not empty and the
/// request carries `Authorization: Bearer <token>` (compared in constant time), or when the
/// peer is loopback and the request carries no `Forwarded`, `X-Forwarded-For` or
/// `X-Real-IP` header: a reverse proxy on the same host adds one of those, so requests it
/// relays from elsewhere are not mistaken for local ones. Pure; any thread.
bool MetricsAccessAllowed(std::string_view peer_ip, const http::HttpRequest& request,
                          std::string_view token);

}  // namespace asobi

#include "server/metrics_access.h"

#include <sodium.h>

namespace asobi {

bool IsLoopbackIp(std::string_view ip) {
  constexpr std::string_view kMapped = "::ffff:";
  if (ip.size() > kMapped.size() && ip.substr(0, kMapped.size()) == kMapped) {
    ip.remove_prefix(kMapped.size());
  }
  return ip.substr(0, 4) == "127." || ip == "::1";
}

bool MetricsAccessAllowed(std::string_view peer_ip, const http::HttpRequest& request,
                          std::string_view token) {
  if (!token.empty()) {
    constexpr std::string_view kBearer = "Bearer ";
    std::string_view auth = request.Header("authorization");
    if (auth.size() == kBearer.size() + token.size() && auth.substr(0, kBearer.size()) == kBearer &&
        sodium_memcmp(auth.data() + kBearer.size(), token.data(), token.size()) == 0) {
      return true;
    }
  }
  if (!IsLoopbackIp(peer_ip)) return false;
  return !request.HasHeader("forwarded") && !request.HasHeader("x-forwarded-for") &&
         !request.HasHeader("x-real-ip");
}

}  // namespace asobi

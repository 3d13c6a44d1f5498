#include "game/rate_limits.h"

#include <cstdlib>
#include <sstream>

namespace asobi {

Result<std::shared_ptr<RouteRateLimits>> RouteRateLimits::Create(std::string_view spec) {
  std::map<std::string, Limit, std::less<>> limits = {
      {"register", {3, 1000}}, {"auth", {5, 1000}},  {"erase", {3, 60000}},
      {"iap", {10, 1000}},     {"api", {300, 1000}}, {"webhook", {10, 1000}}};
  std::stringstream ss{std::string(spec)};
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (item.empty()) continue;
    size_t eq = item.find('='), slash = item.find('/');
    if (eq == std::string::npos || slash == std::string::npos || slash < eq) {
      return MakeError("bad_flag", "bad rate limit '" + item + "' (want group=count/window_ms)");
    }
    long count = std::strtol(item.c_str() + eq + 1, nullptr, 10);
    long window = std::strtol(item.c_str() + slash + 1, nullptr, 10);
    if (count < 1 || window < 1) return MakeError("bad_flag", "bad rate limit '" + item + "'");
    limits[item.substr(0, eq)] = Limit{int32_t(count), window};
  }
  auto out = std::make_shared<RouteRateLimits>();
  for (const auto& [name, limit] : limits) {
    auto g = std::make_unique<Group>();
    SlidingWindowLimiter::Config c;
    c.limit = limit.count;
    c.window_ms = limit.window_ms;
    g->limiter = std::make_unique<SlidingWindowLimiter>(c);
    out->groups_.emplace(name, std::move(g));
  }
  return out;
}

bool RouteRateLimits::Allow(std::string_view group, std::string_view key, int64_t now_ms,
                            int64_t* retry_after_ms) {
  auto it = groups_.find(group);
  if (it == groups_.end()) return true;
  std::lock_guard<std::mutex> lock(it->second->mu);
  return it->second->limiter->Allow(key, now_ms, retry_after_ms);
}

std::string_view RateGroupForPath(std::string_view path) {
  if (path == "/api/v1/auth/register") return "register";
  if (path == "/api/v1/players/me/erase") return "erase";
  if (path.substr(0, 13) == "/api/v1/auth/" || path == "/console/session") return "auth";
  if (path.substr(0, 12) == "/api/v1/iap/") return "iap";
  return "api";
}

}  // namespace asobi

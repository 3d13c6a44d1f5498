#include "ws/rate_limit.h"

#include <algorithm>

namespace asobi {

bool OriginAllowed(std::string_view origin, const std::vector<std::string>& allowlist) {
  if (origin.empty() || allowlist.empty()) return true;
  return std::any_of(allowlist.begin(), allowlist.end(),
                     [&](const std::string& allowed) { return allowed == origin; });
}

}  // namespace asobi

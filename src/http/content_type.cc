// Content-Type checks; see content_type.h.
#include "http/content_type.h"

#include "http/http_chars.h"

namespace asobi::http {

bool IsJsonContentType(std::string_view value) {
  const std::string_view type = TrimOws(value.substr(0, value.find(';')));
  constexpr std::string_view kApplication = "application/";
  if (!StartsWithIgnoreCase(type, kApplication)) return false;
  const std::string_view subtype = type.substr(kApplication.size());
  if (EqualsIgnoreCase(subtype, "json")) return true;
  constexpr std::string_view kSuffix = "+json";
  if (subtype.size() <= kSuffix.size()) return false;
  const std::string_view name = subtype.substr(0, subtype.size() - kSuffix.size());
  for (char c : name) {
    if (!IsTchar(c) || c == '/') return false;
  }
  return EqualsIgnoreCase(subtype.substr(name.size()), kSuffix);
}

}  // namespace asobi::http

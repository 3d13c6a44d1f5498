#include "game/oauth/oauth_config.h"

#include "protocol/json_value.h"

namespace asobi::oauth {
namespace {

Error Bad(const std::string& what) { return MakeError("bad_config", what); }

bool ReadInt(JsonValue o, std::string_view key, int64_t lo, int64_t hi, int64_t* out) {
  if (!GetField(o, key)) return true;
  std::optional<int64_t> v = GetInt(o, key);
  if (!v || *v < lo || *v > hi) return false;
  *out = *v;
  return true;
}

}  // namespace

Result<std::vector<OidcProviderConfig>> ParseOidcProviders(std::string_view json) {
  std::vector<OidcProviderConfig> out;
  if (json.empty()) return out;
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  simdjson::dom::object obj;
  if (parser.parse(json.data(), json.size(), true).get(root) != simdjson::SUCCESS ||
      root.get_object().get(obj) != simdjson::SUCCESS) {
    return Bad("--oidc-providers is not a JSON object");
  }
  for (auto [name, value] : obj) {
    bool known = false;
    for (std::string_view n : kOidcProviderNames) known = known || n == name;
    std::string who = "--oidc-providers " + std::string(name) + ": ";
    if (!known) return Bad(who + "unknown provider");
    if (!IsObject(value)) return Bad(who + "not an object");
    OidcProviderConfig c;
    c.name = std::string(name);
    c.issuer = std::string(GetString(value, "issuer").value_or(""));
    c.client_id = std::string(GetString(value, "client_id").value_or(""));
    c.jwks_uri = std::string(GetString(value, "jwks_uri").value_or(""));
    if (c.issuer.rfind("https://", 0) != 0 || c.issuer.size() <= 8) {
      return Bad(who + "issuer must be an https URL");
    }
    if (c.client_id.empty()) return Bad(who + "client_id is required");
    if (!JwksUrlAllowed(c.jwks_uri)) return Bad(who + "jwks_uri must be an https URL");
    if (!ReadInt(value, "timeout_ms", 100, 60000, &c.http_timeout_ms) ||
        !ReadInt(value, "refresh_min_ms", 0, 86400000, &c.refresh_min_ms) ||
        !ReadInt(value, "cache_ttl_ms", 1000, 7 * 86400000LL, &c.cache_ttl_ms) ||
        !ReadInt(value, "leeway_s", 0, 600, &c.leeway_s)) {
      return Bad(who + "a number is out of range");
    }
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace asobi::oauth

#include "game/oauth/oauth_routes.h"

#include "game/oauth/id_token.h"
#include "game/oauth/oauth_service.h"
#include "game/rest_util.h"
#include "http/query.h"
#include "protocol/json_writer.h"

namespace asobi::oauth {
namespace {

constexpr size_t kMaxProviderBytes = 64;

// Reads a required string member: false after answering 400 missing_field.
bool RequiredString(HttpCall& c, JsonValue body, std::string_view key, std::string* out) {
  std::optional<std::string_view> v = GetString(body, key);
  if (!v || v->empty()) {
    RespondError(c, "missing_field", std::string("Missing field: ") + std::string(key),
                 std::string("{\"field\":\"") + std::string(key) + "\"}");
    return false;
  }
  *out = std::string(*v);
  return true;
}

void RespondFailure(HttpCall& c, const Error& e) {
  if (e.reason == kProviderRejected) {
    JsonWriter d;
    d.BeginObject();
    d.Key("reason");
    d.String(e.message);
    d.EndObject();
    return RespondError(c, e.reason, "The provider token was rejected.", d.Take());
  }
  RespondError(c, e.reason);
}

// The service, provider and token of a sign-in or link body; false after answering.
bool ReadProviderToken(HttpCall& c, OauthService** svc, std::string* provider, std::string* token) {
  *svc = OauthService::OnThisShard();
  if (*svc == nullptr) {
    RespondError(c, "not_ready", "No database is configured.");
    return false;
  }
  JsonValue body;
  if (!ParseBody(c, &body)) return false;
  if (!RequiredString(c, body, "provider", provider) || !RequiredString(c, body, "token", token)) {
    return false;
  }
  if (provider->size() > kMaxProviderBytes || !(*svc)->Supports(*provider)) {
    RespondError(c, "auth.unsupported_provider", "This sign-in provider is not available.");
    return false;
  }
  if (token->size() > kMaxIdTokenBytes) {
    RespondFailure(c, MakeError(kProviderRejected,
                                *provider == "steam" ? "malformed_ticket" : "malformed_token"));
    return false;
  }
  return true;
}

void SignIn(HttpCall& call) {
  if (!AllowByIp(call)) return;
  OauthService* svc = nullptr;
  std::string provider, token;
  if (!ReadProviderToken(call, &svc, &provider, &token)) return;
  HttpCall* c = &call;
  svc->SignIn(std::move(provider), std::move(token), call.gone, [c](Result<OauthSignIn> r) {
    if (!r.ok()) return RespondFailure(*c, r.error());
    const IssuedTokens& t = r->tokens;
    JsonWriter w;
    w.BeginObject();
    w.Key("player_id");
    w.String(t.player_id);
    w.Key("username");
    w.String(t.username);
    w.Key("access_token");
    w.String(t.access_token);
    w.Key("refresh_token");
    w.String(t.refresh_token);
    if (r->created) {
      w.Key("created");
      w.Bool(true);
    }
    w.EndObject();
    RespondJson(*c, w.Take());
  });
}

void Link(HttpCall& call) {
  HttpCall* c = &call;
  WithPlayer(call, [c](const std::string& me) {
    OauthService* svc = nullptr;
    std::string provider, token;
    if (!ReadProviderToken(*c, &svc, &provider, &token)) return;
    svc->Link(me, provider, std::move(token), c->gone, [c, provider](Result<std::string> r) {
      if (!r.ok()) return RespondFailure(*c, r.error());
      JsonWriter w;
      w.BeginObject();
      w.Key("provider");
      w.String(provider);
      w.Key("provider_uid");
      w.String(r.value());
      w.Key("linked");
      w.Bool(true);
      w.EndObject();
      RespondJson(*c, w.Take());
    });
  });
}

// `provider` from the query string, else from a JSON body (asobi-js sends it in the DELETE
// body; rest.md §6).
std::string UnlinkProvider(const HttpCall& c) {
  if (std::optional<std::string> q = http::GetParam(c.request.query, "provider")) return *q;
  std::string_view raw = c.request.body;
  if (raw.empty()) return {};
  simdjson::dom::parser p;
  simdjson::dom::element el;
  if (p.parse(raw.data(), raw.size(), true).get(el) != simdjson::SUCCESS || !IsObject(el)) {
    return {};
  }
  return std::string(GetString(el, "provider").value_or(""));
}

void Unlink(HttpCall& call) {
  HttpCall* c = &call;
  WithPlayer(call, [c](const std::string& me) {
    OauthService* svc = OauthService::OnThisShard();
    if (svc == nullptr) return RespondError(*c, "not_ready", "No database is configured.");
    std::string provider = UnlinkProvider(*c);
    if (provider.empty()) {
      return RespondError(*c, "missing_field", "Missing field: provider",
                          R"({"field":"provider"})");
    }
    if (provider.size() > 255) return RespondError(*c, "auth.identity_not_found");
    svc->Unlink(me, provider, [c](Status st) {
      if (!st.ok()) return RespondFailure(*c, st.error());
      RespondJson(*c, R"({"success":true})");
    });
  });
}

}  // namespace

void RegisterOauthRoutes(HttpApi& api) {
  api.Add("POST", "/api/v1/auth/oauth", &SignIn);
  api.Add("POST", "/api/v1/auth/link", &Link);
  api.Add("DELETE", "/api/v1/auth/unlink", &Unlink);
}

}  // namespace asobi::oauth

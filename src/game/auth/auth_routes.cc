#include "game/auth/auth_routes.h"

#include "base/uuid.h"
#include "game/auth/account_service.h"
#include "game/auth/auth_posture.h"
#include "game/auth/guest_auth.h"
#include "game/auth/player_erasure.h"
#include "game/auth/validation.h"
#include "game/rest_util.h"
#include "http/error_response.h"
#include "protocol/json_writer.h"

namespace asobi {
namespace {

constexpr size_t kMetadataBytesMax = 16384;

// {"field":["msg"]} for 422 responses; `fields` or `errors` at top level too (rest.md §1.3).
void RespondValidation(HttpCall& call, const char* legacy_key,
                       const std::vector<std::pair<std::string, std::string>>& problems) {
  JsonWriter w;
  w.BeginObject();
  for (const auto& [field, msg] : problems) {
    w.Key(field);
    w.BeginArray();
    w.String(msg);
    w.EndArray();
  }
  w.EndObject();
  // Built with appends: GCC 12 reports a false -Wrestrict on chained operator+ here.
  std::string extra;
  extra.append("\"").append(legacy_key).append("\":").append(w.out());
  std::string details;
  details.append("{").append(extra).append("}");
  RespondError(call, "validation_failed", {}, details, extra);
}

std::string TokensJson(const IssuedTokens& t, bool with_player) {
  JsonWriter w;
  w.BeginObject();
  if (with_player) {
    w.Key("player_id");
    w.String(t.player_id);
    w.Key("username");
    w.String(t.username);
  }
  w.Key("access_token");
  w.String(t.access_token);
  w.Key("refresh_token");
  w.String(t.refresh_token);
  w.EndObject();
  return w.Take();
}

bool NeedAccounts(HttpCall& call) {
  if (call.game.accounts != nullptr) return true;
  RespondError(call, "not_ready", "No database is configured.");
  return false;
}

// Reads the string fields `names`; responds missing_field when one is absent or not a string.
bool RequireStrings(HttpCall& call, JsonValue body, std::initializer_list<const char*> names,
                    std::vector<std::string>* out) {
  for (const char* n : names) {
    std::optional<std::string_view> v = GetString(body, n);
    if (!v) {
      RespondError(call, "missing_field", std::string("Missing field: ") + n,
                   std::string("{\"field\":\"") + n + "\"}");
      return false;
    }
    out->emplace_back(*v);
  }
  return true;
}

void Register(HttpCall& call) {
  if (!AllowByIp(call) || !NeedAccounts(call)) return;
  if (call.game.auth_posture != nullptr) {
    switch (call.game.auth_posture->Registration()) {
      case RegistrationPosture::kClosed:
        return RespondError(call, "auth.registration_closed", "Registration is closed.");
      case RegistrationPosture::kOauthOnly:
        return RespondError(call, "auth.password_registration_disabled",
                            "Password registration is disabled; sign in with a provider.");
      case RegistrationPosture::kOpen:
        break;
    }
  }
  JsonValue body;
  if (!ParseBody(call, &body)) return;
  std::vector<std::string> f;
  if (!RequireStrings(call, body, {"username", "password"}, &f)) return;
  std::string display = f[0];
  if (auto d = GetString(body, "display_name")) display = std::string(*d);
  std::vector<std::pair<std::string, std::string>> problems;
  if (auto p = UsernameProblem(f[0]); !p.empty()) problems.push_back({"username", std::string(p)});
  if (auto p = PasswordProblem(f[1]); !p.empty()) problems.push_back({"password", std::string(p)});
  if (auto p = DisplayNameProblem(display); !p.empty()) {
    problems.push_back({"display_name", std::string(p)});
  }
  if (!problems.empty()) return RespondValidation(call, "fields", problems);
  HttpCall* c = &call;
  call.game.accounts->Register(
      f[0], f[1], display,
      [c](Result<IssuedTokens> r) {
        if (!r.ok()) return RespondError(*c, r.error().reason);
        RespondJson(*c, TokensJson(r.value(), true));
      },
      call.gone);
}

void Login(HttpCall& call) {
  if (!AllowByIp(call) || !NeedAccounts(call)) return;
  JsonValue body;
  if (!ParseBody(call, &body)) return;
  std::vector<std::string> f;
  if (!RequireStrings(call, body, {"username", "password"}, &f)) return;
  // Out-of-range input can never match a stored account: skip the database.
  if (!UsernameProblem(f[0]).empty() || f[1].size() > 1024) {
    return RespondError(call, "auth.invalid_credentials");
  }
  HttpCall* c = &call;
  call.game.accounts->Login(
      f[0], f[1],
      [c](Result<IssuedTokens> r) {
        if (!r.ok()) return RespondError(*c, r.error().reason);
        RespondJson(*c, TokensJson(r.value(), true));
      },
      call.gone);
}

void Refresh(HttpCall& call) {
  if (!AllowByIp(call) || !NeedAccounts(call)) return;
  JsonValue body;
  if (!ParseBody(call, &body)) return;
  std::vector<std::string> f;
  if (!RequireStrings(call, body, {"refresh_token"}, &f)) return;
  HttpCall* c = &call;
  call.game.accounts->Refresh(f[0], [c](Result<IssuedTokens> r) {
    if (!r.ok()) return RespondError(*c, r.error().reason);
    RespondJson(*c, TokensJson(r.value(), false));
  });
}

void Logout(HttpCall& call) {
  if (!AllowByIp(call) || !NeedAccounts(call)) return;
  JsonValue body;
  std::optional<std::string> refresh;
  // Logout always succeeds (rest.md §3.1): a bad body just means no refresh token.
  std::string_view raw = call.request.body;
  if (!raw.empty()) {
    simdjson::dom::parser p;
    simdjson::dom::element el;
    if (p.parse(raw.data(), raw.size(), true).get(el) == simdjson::SUCCESS) {
      if (auto v = GetString(el, "refresh_token")) refresh = std::string(*v);
    }
  }
  std::optional<std::string> access;
  if (auto b = BearerToken(call.request); !b.empty()) access = std::string(b);
  HttpCall* c = &call;
  call.game.accounts->Logout(refresh, access, [c] { RespondJson(*c, R"({"success":true})"); });
}

void GetPlayer(HttpCall& call) {
  HttpCall* c = &call;
  WithPlayer(call, [c](const std::string&) {
    std::string id(c->route.Param("id"));
    c->game.accounts->GetPlayer(id, [c](Result<PlayerJson> r) {
      if (!r.ok()) return RespondError(*c, r.error().reason);
      RespondJson(*c, std::move(r.value().json));
    });
  });
}

void PutPlayer(HttpCall& call) {
  HttpCall* c = &call;
  WithPlayer(call, [c](const std::string& me) {
    std::string id(c->route.Param("id"));
    if (id != me) return RespondError(*c, IsCanonicalUuid(id) ? "forbidden" : "player.not_found");
    JsonValue body;
    if (!ParseBody(*c, &body)) return;
    std::vector<std::pair<std::string, std::string>> problems;
    std::optional<std::string> display;
    std::optional<std::optional<std::string>> avatar;
    std::optional<std::string> metadata;
    if (auto v = GetField(body, "display_name")) {
      std::string_view s;
      if (v->get_string().get(s) != simdjson::SUCCESS) {
        problems.push_back({"display_name", "is invalid"});
      } else if (auto p = DisplayNameProblem(s); !p.empty()) {
        problems.push_back({"display_name", std::string(p)});
      } else {
        display = std::string(s);
      }
    }
    if (auto v = GetField(body, "avatar_url")) {
      std::string_view s;
      if (v->is_null()) {
        avatar = std::optional<std::string>();
      } else if (v->get_string().get(s) != simdjson::SUCCESS || s.size() > 255) {
        problems.push_back({"avatar_url", "is invalid"});
      } else {
        avatar = std::optional<std::string>(std::string(s));
      }
    }
    if (auto v = GetField(body, "metadata")) {
      if (!IsObject(*v)) {
        problems.push_back({"metadata", "is invalid"});
      } else {
        std::string json = ToJson(*v);
        if (json.size() > kMetadataBytesMax) {
          problems.push_back({"metadata", "must be 16 KB or less"});
        } else {
          metadata = std::move(json);
        }
      }
    }
    if (!problems.empty()) return RespondValidation(*c, "errors", problems);
    c->game.accounts->UpdatePlayer(id, display, avatar, metadata, [c](Result<PlayerJson> r) {
      if (!r.ok()) return RespondError(*c, r.error().reason);
      RespondJson(*c, std::move(r.value().json));
    });
  });
}

void Erase(HttpCall& call) {
  HttpCall* c = &call;
  WithPlayer(call, [c](const std::string& me) {
    JsonValue body;
    if (!ParseBody(*c, &body)) return;
    std::optional<std::string> password;
    if (auto p = GetString(body, "password")) password = std::string(*p);
    ErasePlayer(
        *c->game.accounts, *c->game.db, me, password,
        [c](Status st) {
          if (!st.ok()) return RespondError(*c, st.error().reason);
          RespondJson(*c, R"({"deleted":true})");
        },
        c->gone);
  });
}

void Guest(HttpCall& call) {
  if (!AllowByIp(call)) return;
  if (call.game.guest == nullptr || !call.game.guest->enabled()) {
    return RespondError(call, "guest.disabled", "Guest sign-in is not enabled.");
  }
  JsonValue body;
  if (!ParseBody(call, &body)) return;
  std::vector<std::string> f;
  if (!RequireStrings(call, body, {"device_id", "device_secret"}, &f)) return;
  if (auto bad = ValidateGuestInput(f[0], f[1]); !bad.empty()) return RespondError(call, bad);
  HttpCall* c = &call;
  call.game.guest->SignIn(f[0], f[1], [c](Result<GuestResult> r) {
    if (!r.ok()) {
      if (r.error().reason == "guest.rate_limited") {
        http::HttpResponse resp =
            http::ErrorResponse("guest.rate_limited", "Too many new guests; retry later.",
                                R"({"retry_after":5})", R"("retry_after":5)");
        resp.extra_headers.push_back({"retry-after", "5"});
        return c->respond(std::move(resp));
      }
      return RespondError(*c, r.error().reason);
    }
    std::string json = TokensJson(r.value().tokens, true);
    json.pop_back();
    json += r.value().created ? R"(,"guest":true,"created":true})" : R"(,"guest":true})";
    RespondJson(*c, std::move(json));
  });
}

void GuestUpgrade(HttpCall& call) {
  HttpCall* c = &call;
  WithPlayer(call, [c](const std::string& me) {
    if (c->game.guest == nullptr) return RespondError(*c, "guest.not_unclaimed");
    JsonValue body;
    if (!ParseBody(*c, &body)) return;
    std::vector<std::string> f;
    if (!RequireStrings(*c, body, {"username", "password"}, &f)) return;
    std::vector<std::pair<std::string, std::string>> problems;
    if (auto p = UsernameProblem(f[0]); !p.empty())
      problems.push_back({"username", std::string(p)});
    if (auto p = PasswordProblem(f[1]); !p.empty())
      problems.push_back({"password", std::string(p)});
    if (!problems.empty()) return RespondValidation(*c, "fields", problems);
    c->game.guest->Upgrade(
        me, f[0], f[1],
        [c](Result<IssuedTokens> r) {
          if (!r.ok()) return RespondError(*c, r.error().reason);
          std::string json = TokensJson(r.value(), true);
          json.pop_back();
          json += R"(,"upgraded":true})";
          RespondJson(*c, std::move(json));
        },
        c->gone);
  });
}

}  // namespace

void RegisterAuthRoutes(HttpApi& api) {
  api.Add("POST", "/api/v1/players/me/erase", &Erase);
  api.Add("POST", "/api/v1/auth/guest", &Guest);
  api.Add("POST", "/api/v1/auth/guest/upgrade", &GuestUpgrade);
  api.Add("POST", "/api/v1/auth/register", &Register);
  api.Add("POST", "/api/v1/auth/login", &Login);
  api.Add("POST", "/api/v1/auth/refresh", &Refresh);
  api.Add("POST", "/api/v1/auth/logout", &Logout);
  api.Add("GET", "/api/v1/players/:id", &GetPlayer);
  api.Add("PUT", "/api/v1/players/:id", &PutPlayer);
}

}  // namespace asobi

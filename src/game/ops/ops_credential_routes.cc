// Credential routes: the console session (rest.md §3.14 `/console/session`) and minting of
// `v1.` ops tokens (ours: `POST /ops/tokens`; the spec names the token kind but no route,
// docs/decisions.md "Ops API credentials").
#include <algorithm>

#include "base/json_escape.h"
#include "game/ops/ops_console_sessions.h"
#include "game/ops/ops_guard.h"
#include "game/ops/ops_routes.h"
#include "game/rest_util.h"
#include "protocol/json_value.h"

namespace asobi::ops {
namespace {

constexpr int64_t kTokenTtlDefaultS = 3600;
constexpr int64_t kTokenTtlMinS = 60;
constexpr int64_t kTokenTtlMaxS = 30 * 86400;

std::string Quote(std::string_view s) {
  std::string out;
  AppendJsonString(&out, s);
  return out;
}

std::string ActorJson(const OpsActor& a) {
  std::string classes = "[";
  std::string names = ClassNames(a.classes);
  size_t start = 0;
  while (start < names.size()) {
    size_t comma = names.find(',', start);
    if (comma == std::string::npos) comma = names.size();
    if (classes.size() > 1) classes.push_back(',');
    classes += Quote(std::string_view(names).substr(start, comma - start));
    start = comma + 1;
  }
  classes += "]";
  return "{\"actor_id\":" + Quote(a.id) + ",\"label\":" + Quote(a.display) +
         ",\"source\":" + Quote(a.source) + ",\"classes\":" + classes + "}";
}

bool ConsoleOn(HttpCall& call) {
  OpsAuth* auth = OpsAuth::Node();
  if (auth != nullptr && auth->console()) return true;
  RespondError(call, "console.not_found", "The console is not enabled.");
  return false;
}

void Cookies(http::HttpResponse* r, std::string_view sid, std::string_view csrf, int64_t age) {
  std::string tail = "; Path=/; SameSite=Lax; Max-Age=" + std::to_string(age);
  r->extra_headers.push_back(
      {"set-cookie", "asobi_console=" + std::string(sid) + tail + "; HttpOnly"});
  r->extra_headers.push_back({"set-cookie", "asobi_console_csrf=" + std::string(csrf) + tail});
  r->extra_headers.push_back({"cache-control", "no-store"});
}

void RespondOpened(HttpCall& call, const OpsAuth::NewSession& s, const OpsActor& actor) {
  http::HttpResponse r;
  r.body = "{\"data\":{\"session\":" + ActorJson(actor) + ",\"csrf_token\":" + Quote(s.csrf) +
           ",\"expires_in\":" + std::to_string(kConsoleSessionTtlS) + "}}";
  Cookies(&r, s.id, s.csrf, kConsoleSessionTtlS);
  call.respond(std::move(r));
}

void OpenSession(HttpCall& call) {
  if (!ConsoleOn(call) || !AllowByIp(call)) return;
  JsonValue body;
  if (!ParseBody(call, &body)) return;
  std::optional<std::string_view> secret = GetString(body, "secret");
  std::string label(GetString(body, "label").value_or("operator"));
  if (call.game.db != nullptr) {  // shared by every node on the database
    if (!secret || !OpsAuth::Node()->IsSecret(*secret)) return RespondError(call, "forbidden");
    OpsAuth::NewSession s = OpsAuth::MintIds();
    std::string lbl = OpsAuth::SessionLabel(std::move(label));
    HttpCall* c = &call;
    OpsActor actor{"console:" + lbl, lbl, "console", kAllClasses};
    AuditEntry e{"console.session.open", "console_session", lbl, "ok", 1, 0, "{}"};
    InsertConsoleSession(*call.game.db, s, lbl, AuditCall(actor, e),
                         [c, s, actor](const db::PgError* err) {
                           if (err != nullptr) return RespondDbError(*c, *err);
                           RespondOpened(*c, s, actor);
                         });
    return;
  }
  std::optional<OpsAuth::NewSession> s;
  if (secret) s = OpsAuth::Node()->OpenSession(*secret, label, NowS());
  if (!s) return RespondError(call, "forbidden");
  std::optional<OpsActor> actor = OpsAuth::Node()->SessionActor(s->id, s->csrf, NowS());
  RespondOpened(call, *s, *actor);
}

void GetSession(HttpCall& call) {
  if (!ConsoleOn(call)) return;
  HttpCall* c = &call;
  WithOps(call, 0, [c](const OpsActor& a) {
    RespondJson(*c, "{\"data\":{\"session\":" + ActorJson(a) + "}}");
  });
}

void CloseSession(HttpCall& call) {
  if (!ConsoleOn(call)) return;
  HttpCall* c = &call;
  WithOps(call, 0, [c](const OpsActor& actor) {
    std::optional<std::string_view> sid = CookieValue(c->request.Header("cookie"), "asobi_console");
    auto signed_out = [c] {
      http::HttpResponse r;
      r.body = "{\"data\":{\"signed_out\":true}}";
      Cookies(&r, "", "", 0);
      c->respond(std::move(r));
    };
    if (sid && c->game.db != nullptr) {  // a bearer credential carries no cookie: nothing to end
      AuditEntry e{"console.session.close", "console_session", actor.display, "ok", 1, 0, "{}"};
      return DeleteConsoleSession(*c->game.db, *sid, AuditCall(actor, e),
                                  [c, signed_out](const db::PgError* err) {
                                    if (err != nullptr) return RespondDbError(*c, *err);
                                    signed_out();
                                  });
    }
    if (sid) OpsAuth::Node()->CloseSession(*sid);
    signed_out();
  });
}

// POST /ops/tokens {"label", "classes": [...], "ttl_seconds"?}: the secret or a console
// session only (a v1 token cannot mint another).
void MintToken(HttpCall& call) {
  HttpCall* c = &call;
  WithOpsDb(call, kAllClasses, [c](const OpsActor& actor, db::PgConnection& db) {
    if (actor.source == "token") return RespondError(*c, "forbidden");
    JsonValue body;
    if (!ParseBody(*c, &body)) return;
    std::string lbl(GetString(body, "label").value_or(""));
    int64_t ttl = std::clamp<int64_t>(GetInt(body, "ttl_seconds").value_or(kTokenTtlDefaultS),
                                      kTokenTtlMinS, kTokenTtlMaxS);
    uint32_t classes = 0;
    bool bad_class = false;
    if (auto list = GetField(body, "classes"); list && list->is_array()) {
      for (JsonValue v : list->get_array()) {
        std::string_view name;
        uint32_t bit = v.get(name) == simdjson::SUCCESS ? ClassFromName(name) : 0;
        bad_class = bad_class || bit == 0;
        classes |= bit;
      }
    }
    if (lbl.size() > kOpsLabelBytesMax || bad_class) {
      return RespondError(*c, "invalid_payload",
                          "label is 1-64 bytes; classes are read, player_data, config, erasure.");
    }
    if (lbl.empty() || classes == 0) {
      return RespondError(*c, "missing_field", "label and classes are required.");
    }
    const std::string& key = OpsAuth::Node()->token_secret();
    if (key.size() < 32) {
      return RespondError(*c, "not_ready", "--ops-token-secret (32+ bytes) is not set.");
    }
    OpsTokenClaims claims{lbl, classes, NowS() + ttl};
    std::string token = MintOpsToken(key, claims);
    OpsActor minted{"token:" + lbl, lbl, "token", classes};
    AuditEntry e{"ops.tokens.mint",
                 "ops_token",
                 lbl,
                 "ok",
                 1,
                 0,
                 "{\"classes\":" + Quote(ClassNames(classes)) +
                     ",\"expires_at_s\":" + std::to_string(claims.expires_at_s) + "}"};
    RespondAudited(*c, db, actor, std::move(e),
                   "{\"data\":{\"token\":" + Quote(token) +
                       ",\"expires_at_s\":" + std::to_string(claims.expires_at_s) +
                       ",\"session\":" + ActorJson(minted) + "}}");
  });
}

}  // namespace

void RegisterCredentialRoutes(HttpApi& api) {
  api.Add("POST", "/console/session", &OpenSession);
  api.Add("GET", "/console/session", &GetSession);
  api.Add("DELETE", "/console/session", &CloseSession);
  api.Add("POST", "/ops/tokens", &MintToken);
}

}  // namespace asobi::ops

// REST routes of in-app purchases (rest.md §3.6; own rate bucket `iap`, rest.md §4.2).
#include "game/iap/iap_routes.h"

#include "game/iap/iap_service.h"
#include "game/rest_util.h"
#include "protocol/json_writer.h"

namespace asobi::iap {
namespace {

constexpr size_t kMaxFieldBytes = 255;   // VARCHAR(255) columns
constexpr size_t kMaxTokenBytes = 4096;  // Play purchase tokens are a few hundred bytes

// Reads a required string member: false after answering 400 missing_field / invalid_payload.
bool RequiredString(HttpCall& c, JsonValue body, std::string_view key, std::string* out) {
  std::optional<std::string_view> v = GetString(body, key);
  if (GetField(body, key) && !v) {
    RespondError(c, "invalid_payload", std::string(key) + " must be a string.");
    return false;
  }
  if (!v || v->empty()) {
    RespondError(c, "missing_field", std::string(key) + " is required.");
    return false;
  }
  *out = std::string(*v);
  return true;
}

void RespondResult(HttpCall& c, const Result<std::string>& r) {
  if (r.ok()) return RespondJson(c, r.value());
  const Error& e = r.error();
  if (e.reason == kVerificationFailed) {
    JsonWriter d;
    d.BeginObject();
    d.Key("reason");
    d.String(e.message);
    d.EndObject();
    return RespondError(c, e.reason, "The purchase could not be verified.", d.Take());
  }
  if (e.reason == kMissingTransactionId) {
    return RespondError(c, e.reason, "The purchase has no transaction id.");
  }
  if (e.reason == "iap.transaction_already_claimed") {
    return RespondError(c, e.reason, "Another player claimed this transaction.");
  }
  if (e.reason == "iap.record_failed") {
    return RespondError(c, e.reason, "The purchase could not be recorded.");
  }
  RespondError(c, e.reason);
}

void Apple(HttpCall& call) {
  HttpCall* c = &call;
  WithPlayer(call, [c](const std::string& player_id) {
    IapService* svc = IapService::OnThisShard();
    if (svc == nullptr) return RespondError(*c, "not_ready");
    JsonValue body;
    if (!ParseBody(*c, &body)) return;
    std::string jws;
    if (!RequiredString(*c, body, "signed_transaction", &jws)) return;
    svc->VerifyApple(player_id, std::move(jws), c->gone,
                     [c](Result<std::string> r) { RespondResult(*c, r); });
  });
}

void Google(HttpCall& call) {
  HttpCall* c = &call;
  WithPlayer(call, [c](const std::string& player_id) {
    IapService* svc = IapService::OnThisShard();
    if (svc == nullptr) return RespondError(*c, "not_ready");
    JsonValue body;
    if (!ParseBody(*c, &body)) return;
    std::string product, token;
    if (!RequiredString(*c, body, "product_id", &product)) return;
    if (!RequiredString(*c, body, "purchase_token", &token)) return;
    if (product.size() > kMaxFieldBytes || token.size() > kMaxTokenBytes) {
      return RespondResult(*c, MakeError(kVerificationFailed, "purchase_not_found"));
    }
    svc->VerifyGoogle(player_id, std::move(product), std::move(token), c->gone,
                      [c](Result<std::string> r) { RespondResult(*c, r); });
  });
}

}  // namespace

void RegisterIapRoutes(HttpApi& api) {
  api.Add("POST", "/api/v1/iap/apple", &Apple);
  api.Add("POST", "/api/v1/iap/google", &Google);
}

}  // namespace asobi::iap

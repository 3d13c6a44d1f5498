#include "game/oauth/steam_ticket.h"

#include "game/iap/http_fetch.h"
#include "game/oauth/id_token.h"
#include "protocol/json_value.h"

namespace asobi::oauth {
namespace {

Error Reject(const char* detail) { return MakeError(kProviderRejected, detail); }

bool IsHex(std::string_view s) {
  for (char c : s) {
    bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (!ok) return false;
  }
  return true;
}

bool IsDigits(std::string_view s) {
  if (s.empty() || s.size() > 20) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

Result<std::pair<long, std::string>> CurlGet(const std::string& url, int64_t timeout_ms) {
  iap::FetchRequest req;
  req.url = url;
  req.headers = {"Accept: application/json"};
  req.timeout_ms = timeout_ms;
  Result<iap::FetchReply> r = iap::HttpFetch(req);
  if (!r.ok()) return r.error();
  return std::make_pair(r->status, std::move(r->body));
}

}  // namespace

SteamVerifier::SteamVerifier(SteamConfig config, Fetcher fetcher)
    : config_(std::move(config)), fetcher_(std::move(fetcher)) {
  if (!fetcher_) fetcher_ = &CurlGet;
}

Result<IdClaims> SteamVerifier::ReadResponse(std::string_view body) {
  if (body.empty()) return Reject("steam_unavailable");  // (and no null buffer to parse)
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(body.data(), body.size(), true).get(root) != simdjson::SUCCESS ||
      !IsObject(root)) {
    return Reject("steam_unavailable");
  }
  std::optional<JsonValue> response = GetField(root, "response");
  if (!response || !IsObject(*response)) return Reject("steam_unavailable");
  if (GetField(*response, "error")) return Reject("invalid_ticket");
  std::optional<JsonValue> params = GetField(*response, "params");
  if (!params || !IsObject(*params)) return Reject("steam_unavailable");
  if (GetString(*params, "result") != std::optional<std::string_view>("OK")) {
    return Reject("invalid_ticket");
  }
  std::optional<std::string_view> steamid = GetString(*params, "steamid");
  if (!steamid || !IsDigits(*steamid)) return Reject("invalid_ticket");
  IdClaims c;
  c.sub = std::string(*steamid);
  return c;
}

Result<IdClaims> SteamVerifier::Verify(std::string_view ticket, int64_t) {
  if (ticket.empty() || ticket.size() > kMaxSteamTicketChars || ticket.size() % 2 != 0 ||
      !IsHex(ticket)) {
    return Reject("malformed_ticket");
  }
  std::string url = config_.api_base + "/ISteamUserAuth/AuthenticateUserTicket/v1/?key=" +
                    iap::UrlEscape(config_.api_key) + "&appid=" + config_.app_id +
                    "&ticket=" + std::string(ticket);
  Result<std::pair<long, std::string>> r = fetcher_(url, config_.http_timeout_ms);
  if (!r.ok()) return Reject("steam_unavailable");
  // Steam answers a bad ticket with 200 and an error object; a bad key or app id with 403.
  if (r->first != 200) return Reject("steam_unavailable");
  return ReadResponse(r->second);
}

}  // namespace asobi::oauth

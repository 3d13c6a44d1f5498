// Error envelope and code table; see error_response.h.
#include "http/error_response.h"

#include <unordered_map>

#include "base/json_escape.h"

namespace asobi::http {
namespace {

struct CodeStatus {
  std::string_view code;
  int status;
};

// rest.md §1.3, in the spec's order, then the codes added by this layer.
constexpr CodeStatus kCodeTable[] = {
    {"internal", 500},
    {"rate_limited", 429},
    {"join_rate_limited", 429},
    {"payload_too_large", 413},
    {"invalid_json", 400},
    {"invalid_message", 400},
    {"invalid_payload", 400},
    {"missing_field", 400},
    {"unknown_type", 400},
    {"unauthenticated", 401},
    {"forbidden", 403},
    {"validation_failed", 422},
    {"length_required", 411},
    {"client_gate_denied", 403},
    {"not_ready", 503},
    {"datagram_unavailable", 503},
    {"rpc.unknown_method", 404},
    {"rpc.invalid_cid", 400},
    {"rpc.unsupported_protocol", 400},
    {"rpc.invalid_params", 400},
    {"auth.registration_closed", 403},
    {"auth.password_registration_disabled", 403},
    {"auth.username_taken", 409},
    {"auth.invalid_credentials", 401},
    {"auth.unsupported_provider", 401},
    {"auth.provider_rejected", 401},
    {"auth.provider_already_linked", 409},
    {"auth.already_registering", 409},
    {"auth.identity_not_found", 404},
    {"auth.last_auth_method", 422},
    {"auth.registration_failed", 500},
    {"auth.link_failed", 500},
    {"auth.token_issue_failed", 500},
    {"guest.disabled", 403},
    {"guest.invalid_device_id", 400},
    {"guest.weak_device_secret", 400},
    {"guest.invalid_device_secret", 401},
    {"guest.revoked", 401},
    {"guest.already_upgraded", 401},
    {"guest.rate_limited", 429},
    {"guest.capacity_reached", 503},
    {"guest.unavailable", 503},
    {"guest.device_already_registered", 409},
    {"guest.not_unclaimed", 409},
    {"guest.create_failed", 500},
    {"player.not_found", 404},
    {"player.confirmation_failed", 403},
    {"player.credentials_changed", 409},
    {"player.erase_failed", 500},
    {"world.player_limit_reached", 429},
    {"world.capacity_reached", 503},
    {"world.create_failed", 400},
    {"world.not_found", 404},
    {"world.already_joined", 409},
    {"match.not_found", 404},
    {"match.not_in_match", 409},
    {"match.full", 409},
    {"match.locked", 409},
    {"match.join_refused", 403},
    {"matchmaker.ticket_not_found", 404},
    {"matchmaker.unknown_mode", 400},
    {"matchmaker.queue_full", 503},
    {"vote.not_found", 404},
    {"leaderboard.client_submit_disabled", 403},
    {"leaderboard.capacity_reached", 503},
    {"economy.insufficient_funds", 402},
    {"economy.listing_inactive", 400},
    {"economy.purchase_failed", 500},
    {"inventory.item_not_found", 404},
    {"inventory.insufficient_quantity", 400},
    {"inventory.invalid_quantity", 400},
    {"iap.verification_failed", 422},
    {"iap.missing_transaction_id", 422},
    {"iap.transaction_already_claimed", 409},
    {"iap.record_failed", 500},
    {"social.cannot_friend_self", 400},
    {"social.friend_not_found", 404},
    {"social.already_friend", 409},
    {"social.friendship_not_found", 404},
    {"social.group_not_found", 404},
    {"social.group_closed", 403},
    {"social.group_full", 409},
    {"social.already_member", 409},
    {"social.invalid_role", 400},
    {"social.member_not_found", 404},
    {"dm.blocked", 403},
    {"dm.content_empty", 400},
    {"dm.content_too_large", 413},
    {"chat.invalid_channel_id", 400},
    {"chat.too_many_channels", 429},
    {"tournament.not_found", 404},
    {"tournament.full", 409},
    {"tournament.already_joined", 409},
    {"season.not_found", 404},
    {"notification.not_found", 404},
    {"save.not_found", 404},
    {"save.too_large", 413},
    {"save.version_conflict", 409},
    {"save.slot_limit_reached", 409},
    {"storage.not_found", 404},
    {"storage.forbidden", 403},
    {"storage.value_too_large", 413},
    {"storage.invalid_perm", 400},
    {"storage.invalid_request", 400},
    {"storage.conflict", 500},
    {"storage.query_failed", 500},
    {"ops.invalid_board_id", 400},
    {"ops.invalid_id", 400},
    {"ops.invalid_filter", 400},
    {"ops.invalid_cursor", 400},
    {"ops.not_found", 404},
    {"ops.unknown_sort_field", 400},
    {"ops.unknown_sort_order", 400},
    {"ops.query_failed", 500},
    {"ops.confirmation_required", 400},
    {"ops.confirmation_mismatch", 400},
    {"ops.erase_failed", 500},
    {"ops.invalid_cutoff", 400},
    {"ops.purge_count_mismatch", 409},
    {"ops.purge_failed", 500},
    {"ops.orphaned_extension_rows", 409},
    {"ops.export_incomplete", 500},
    {"console.not_found", 404},
    {"console.not_built", 503},
    {"ws.request_failed", 400},
    // Added by http/ (not in rest.md §1.3): routing and HTTP framing failures.
    {"not_found", 404},
    {"method_not_allowed", 405},
    {"bad_request", 400},
    {"uri_too_long", 414},
    {"headers_too_large", 431},
    {"http_version_not_supported", 505},
    // Added by server/ (docs/decisions.md "Connection limits and timeouts").
    {"request_timeout", 408},
    {"unsupported_media_type", 415},
};

const std::unordered_map<std::string_view, int>& CodeMap() {
  static const auto* map = [] {
    auto* m = new std::unordered_map<std::string_view, int>();
    for (const CodeStatus& entry : kCodeTable) m->emplace(entry.code, entry.status);
    return m;
  }();
  return *map;
}

}  // namespace

int StatusForCode(std::string_view code) {
  const auto& map = CodeMap();
  const auto it = map.find(code);
  return it == map.end() ? 500 : it->second;
}

HttpResponse ErrorResponse(std::string_view code, std::string_view message,
                           std::string_view details_json,
                           std::string_view extra_top_level_json_members) {
  HttpResponse response;
  response.status = StatusForCode(code);
  std::string& body = response.body;
  body.reserve(64 + code.size() + message.size() + details_json.size() +
               extra_top_level_json_members.size());
  body.append("{\"error\":{\"code\":");
  AppendJsonString(&body, code, kJsonEscapeHttpError);
  body.append(",\"message\":");
  AppendJsonString(&body, message, kJsonEscapeHttpError);
  body.append(",\"details\":");
  body.append(details_json.empty() ? std::string_view("{}") : details_json);
  body.push_back('}');
  if (!extra_top_level_json_members.empty()) {
    body.push_back(',');
    body.append(extra_top_level_json_members);
  }
  body.push_back('}');
  return response;
}

HttpResponse NotFoundResponse() { return ErrorResponse("not_found", "Resource not found"); }

HttpResponse MethodNotAllowedResponse(std::string_view allow) {
  HttpResponse response = ErrorResponse("method_not_allowed", "Method not allowed");
  response.extra_headers.emplace_back("allow", std::string(allow));
  return response;
}

HttpResponse ParseErrorResponse(const ParseResult& result) {
  std::string_view message;
  switch (result.http_status) {
    case 411:
      message = "Content-Length required";
      break;
    case 413:
      message = "Request body too large";
      break;
    case 414:
      message = "Request-target too long";
      break;
    case 431:
      message = "Request header fields too large";
      break;
    case 505:
      message = "HTTP version not supported";
      break;
    default:
      message = "Malformed HTTP request";
      break;
  }
  std::string_view code = result.code.empty() ? std::string_view("bad_request") : result.code;
  return ErrorResponse(code, message);
}

}  // namespace asobi::http

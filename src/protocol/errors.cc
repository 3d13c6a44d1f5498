#include "protocol/errors.h"

#include <algorithm>
#include <array>

namespace asobi {
namespace {

struct ReasonInfo {
  std::string_view reason;
  std::string_view code;
  std::string_view message;
};

// websocket.md §4.2 (plus DECISIONS.md wire 2 and wire 5), sorted by reason for binary search.
// Rows whose code is ws.request_failed only carry a more specific message (§4.3).
constexpr std::array<ReasonInfo, 37> kReasons = {{
    {"already_in_world", "world.already_joined",
     "This player is already in another world; leave it first."},
    {"binary_uplink_unsupported", kRequestFailedCode,
     "Binary frames are not accepted; send JSON text frames."},
    {"blocked", "dm.blocked", "The recipient does not accept direct messages from you."},
    {"content_empty", "dm.content_empty", "The direct message has no content."},
    {"content_too_large", "dm.content_too_large", "The direct message is longer than 2000 bytes."},
    {"internal", "internal", "The server hit an internal error while handling the request."},
    {"internal_error", "internal", "The server hit an internal error while handling the request."},
    {"invalid_channel_id", "chat.invalid_channel_id", "The channel id is not acceptable."},
    {"invalid_json", "invalid_json", "The frame is not valid JSON."},
    {"invalid_message", "invalid_message", "The message is missing a string `type` field."},
    {"invalid_payload", "invalid_payload",
     "The payload does not have the shape this message needs."},
    {"invalid_token", "unauthenticated", "The session token is missing, invalid or expired."},
    {"join_rate_limited", "join_rate_limited", "Too many join attempts; wait and try again."},
    {"join_refused", "match.join_refused", "The game refused this join."},
    {"match_full", "match.full", "The match has no free slot."},
    {"match_locked", "match.locked", "The match is closed to new players."},
    {"match_not_found", "match.not_found", "No live match has this id."},
    {"missing_field", "missing_field", "A required payload field is missing."},
    {"not_authorized", "forbidden", "This player may not do that."},
    {"not_found", kRequestFailedCode, "Nothing with that id or name exists."},
    {"not_in_match", "match.not_in_match", "This connection is not in a match."},
    {"not_owner", "forbidden", "That ticket belongs to another player."},
    {"payload_too_large", "payload_too_large", "The frame is larger than 65536 bytes."},
    {"queue_full", "matchmaker.queue_full", "The matchmaking queue is full; try again later."},
    {"rate_limited", "rate_limited", "Too many messages; slow down."},
    {"session_revoked", kRequestFailedCode, "This session was revoked; sign in again."},
    {"too_many_channels", "chat.too_many_channels",
     "This connection has joined as many chat channels as allowed."},
    {"unauthenticated", "unauthenticated", "Send session.connect with a valid token first."},
    {"unknown_mode", "matchmaker.unknown_mode", "The requested game mode does not exist."},
    {"unknown_type", "unknown_type", "The server does not handle this message type."},
    {"vote_closed", kRequestFailedCode, "The vote is already closed."},
    {"vote_not_found", kRequestFailedCode, "No open vote has this id."},
    {"world_full", kRequestFailedCode, "The world has no free slot."},
    {"world_not_found", "world.not_found", "No live world has this id."},
    {"world_not_ready", kRequestFailedCode, "The world is still loading; try again shortly."},
    {"zone_unavailable", kRequestFailedCode, "The world zone is not available right now."},
    {"match_not_started", kRequestFailedCode, "The match has not started yet."},
}};

constexpr auto kReasonsSorted = [] {
  auto sorted = kReasons;
  std::sort(sorted.begin(), sorted.end(),
            [](const ReasonInfo& a, const ReasonInfo& b) { return a.reason < b.reason; });
  return sorted;
}();
static_assert(std::adjacent_find(kReasonsSorted.begin(), kReasonsSorted.end(),
                                 [](const ReasonInfo& a, const ReasonInfo& b) {
                                   return a.reason == b.reason;
                                 }) == kReasonsSorted.end(),
              "duplicate reason in kReasons");
static_assert(!kReasonsSorted.front().reason.empty(), "kReasons has an unfilled row");

constexpr std::string_view kRequestFailedMessage = "The request failed; see details.reason.";

const ReasonInfo* FindReason(std::string_view reason) {
  auto it =
      std::lower_bound(kReasonsSorted.begin(), kReasonsSorted.end(), reason,
                       [](const ReasonInfo& info, std::string_view r) { return info.reason < r; });
  if (it == kReasonsSorted.end() || it->reason != reason) return nullptr;
  return &*it;
}

}  // namespace

std::string_view CodeForReason(std::string_view reason) {
  const ReasonInfo* info = FindReason(reason);
  return info ? info->code : kRequestFailedCode;
}

std::string_view DefaultMessageForReason(std::string_view reason) {
  const ReasonInfo* info = FindReason(reason);
  return info ? info->message : kRequestFailedMessage;
}

void WriteErrorObject(JsonWriter* w, std::string_view code, std::string_view message,
                      std::string_view details_json) {
  w->BeginObject();
  w->Key("code");
  w->String(code);
  w->Key("message");
  w->String(message);
  w->Key("details");
  w->Raw(details_json.empty() ? std::string_view("{}") : details_json);
  w->EndObject();
}

void WriteErrorFrame(JsonWriter* w, std::string_view reason, const std::string* cid_json,
                     std::string_view extra_type, std::string_view details_json) {
  DCHECK(w->depth() == 0);
  const ReasonInfo* info = FindReason(reason);
  const std::string_view code = info ? info->code : kRequestFailedCode;
  const std::string_view message = info ? info->message : kRequestFailedMessage;
  w->BeginObject();
  w->Key("type");
  w->String("error");
  if (cid_json != nullptr) {
    w->Key("cid");
    w->Raw(*cid_json);
  }
  w->Key("payload");
  w->BeginObject();
  w->Key("reason");
  w->String(reason);
  if (!extra_type.empty()) {
    w->Key("type");
    w->String(extra_type);
  }
  w->Key("error");
  if (!details_json.empty() || code != kRequestFailedCode) {
    WriteErrorObject(w, code, message, details_json);
  } else {
    // ws.request_failed carries the raw reason in details (§4.1).
    w->BeginObject();
    w->Key("code");
    w->String(code);
    w->Key("message");
    w->String(message);
    w->Key("details");
    w->BeginObject();
    w->Key("reason");
    w->String(reason);
    w->EndObject();
    w->EndObject();
  }
  w->EndObject();
  w->EndObject();
}

std::string BuildErrorFrame(std::string_view reason, const std::string* cid_json,
                            std::string_view extra_type, std::string_view details_json) {
  JsonWriter w;
  w.Reserve(160 + reason.size() + details_json.size() + (cid_json ? cid_json->size() : 0));
  WriteErrorFrame(&w, reason, cid_json, extra_type, details_json);
  return w.Take();
}

}  // namespace asobi

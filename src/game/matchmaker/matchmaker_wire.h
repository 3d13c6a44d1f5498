// JSON of the matchmaker's replies and pushes (websocket.md §6, rest.md §3.11).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "game/matchmaker/matchmaker_types.h"

namespace asobi::matchmaker {

/// `{"ticket_id","status":"pending","players_needed","already_queued"}` (websocket.md §6.1,
/// also the REST POST body).
std::string QueuedPayload(const AddReply& reply);

/// The complete `match.matched` push `{match_id, players}` (§6.3, match-backed form).
std::string MatchedFrame(std::string_view match_id, const std::vector<std::string>& players);

/// The complete `match.matchmaker_expired` push `{ticket_id}` (§6.4).
std::string ExpiredFrame(std::string_view ticket_id);

/// The complete `match.matchmaker_failed` push `{reason}` (§6.4).
std::string FailedFrame(std::string_view reason);

/// GET /matchmaker/:id body `{"id","mode","status","properties","submitted_at"}` plus
/// `match_id` when matched (rest.md §3.11). `properties_json` must be one JSON value.
std::string TicketStatusJson(const TicketStatus& status);

}  // namespace asobi::matchmaker

// REST routes of the matchmaker (rest.md §3.11): POST /api/v1/matchmaker,
// GET/DELETE /api/v1/matchmaker/:ticket_id, and the same under /api/v1/matchmaker/tickets.
// Outcomes (matched, expired, failed) are pushed over the player's WebSocket when one queued
// the ticket too; REST-only tickets show them in GET for a minute.
#pragma once

#include "game/http_api.h"

namespace asobi::matchmaker {

/// Registers the routes (bearer auth, rate group `api`). They use Matchmaker::OnThisShard().
/// Errors: 400 invalid_json / invalid_payload / matchmaker.unknown_mode, 503
/// matchmaker.queue_full, 400 ws.request_failed with details.reason `already_in_match`,
/// 403 forbidden (someone else's ticket), 404 matchmaker.ticket_not_found.
void RegisterMatchmakerRoutes(HttpApi& api);

}  // namespace asobi::matchmaker

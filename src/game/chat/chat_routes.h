// REST routes of the chat domain (rest.md §3.4): GET /chat/:channel_id/history, POST /dm,
// GET /dm/:player_id/history (history read from chat_messages, DECISIONS.md REST 4).
#pragma once

#include "game/http_api.h"

namespace asobi::chat {

/// Adds the routes under /api/v1. Call once at start-up.
void RegisterChatRoutes(HttpApi& api);

}  // namespace asobi::chat

// Routing of match operations to owner shards (docs/match_design.md): callers on any shard use
// these; the work runs on the owner (OwnerShardOf(match_id)) or the quick-play coordinator
// (OwnerShardOf(mode)), and replies come back to the calling shard by mailbox.
//
// Every function must be called on a shard thread whose MatchService exists
// (MatchService::OnThisShard()). Callbacks run on the calling shard. A full mailbox turns into
// reason "internal" for calls with a reply and a dropped operation otherwise.
#pragma once

#include <functional>
#include <string>

#include "base/result.h"
#include "game/match/match_service.h"
#include "game/match/match_types.h"

namespace asobi::match {

/// match.join on the owner shard (websocket.md §5.3).
void RouteJoin(JoinRequest req, JoinDone done);
/// Explicit leave of `player_id` (all of its sockets), fire and forget.
void RouteLeave(const std::string& match_id, const std::string& player_id);
/// One socket of the player left the match, fire and forget: `socket_closed` when it
/// disconnected (the mode's reconnect grace may keep the seat), false when it moved to another
/// match (no grace).
void RouteDetach(const std::string& match_id, const std::string& player_id, const ClientRef& ref,
                 bool socket_closed);
/// A socket of `player_id` authenticated while `match_id` keeps the player's seat (reconnect
/// grace): re-attaches it on the owner, fire and forget.
void RouteReattach(const std::string& match_id, const std::string& player_id, const ClientRef& ref);
/// Queues an input on the owner, fire and forget.
void RouteInput(const std::string& match_id, const std::string& player_id, std::string json,
                const ClientRef& from);
/// match.find_or_create placement through the mode's coordinator (websocket.md §5.2).
void RouteQuickPlay(QuickPlayRequest req, JoinDone done);
/// vote.veto on the match's owner; `done(reason)` ("" = vetoed) runs back on this shard.
void RouteVoteVeto(const std::string& match_id, const std::string& player_id,
                   const std::string& vote_id, std::function<void(std::string)> done);
/// Whether `player_id` is in the live roster of `match_id` (false when the match is gone);
/// `done` runs back on this shard.
void RouteIsMember(const std::string& match_id, const std::string& player_id,
                   std::function<void(bool)> done);
/// The live roster of `match_id` as Match::RosterJson, read on the owner; `done` runs back on
/// this shard with "" when the match is gone or its owner's mailbox is full.
void RouteRosterJson(const std::string& match_id, std::function<void(std::string)> done);
/// vote.cast on the match's owner; `done(reason)` ("" = accepted) runs back on this shard.
void RouteVoteCast(const std::string& match_id, const std::string& player_id,
                   const std::string& vote_id, std::string option_json,
                   std::function<void(std::string)> done);
/// Creates a match of `mode` on `shard` (-1: the least-loaded shard); `done` gets the id or
/// the error of MatchService::Create. For the matchmaker.
void RouteCreate(const std::string& mode, int shard, std::function<void(Result<std::string>)> done);

}  // namespace asobi::match

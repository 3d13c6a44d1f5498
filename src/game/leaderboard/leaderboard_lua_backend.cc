#include "game/leaderboard/leaderboard_lua_backend.h"

#include <utility>

namespace asobi::leaderboard {
namespace {

using Backend = script::game_api::LeaderboardBackend;

EntriesCallback ToEntries(std::shared_ptr<bool> alive, Backend::EntriesDone done) {
  return [alive = std::move(alive), done = std::move(done)](Result<std::vector<RankedEntry>> r) {
    if (!*alive) return;
    if (!r.ok()) return done(r.error());
    std::vector<Backend::Entry> out;
    out.reserve(r->size());
    for (RankedEntry& e : r.value()) out.push_back({std::move(e.player_id), e.score, e.rank});
    done(std::move(out));
  };
}

}  // namespace

void LeaderboardLuaBackend::Submit(std::string board_id, std::string player_id, int64_t score,
                                   std::string op, EntryDone done) {
  SubmitOp parsed = ParseSubmitOp(op).value_or(SubmitOp::kBest);
  service_.Submit(std::move(board_id), std::move(player_id), score, parsed,
                  [alive = alive_, done = std::move(done)](Result<RankedEntry> r) {
                    if (!*alive) return;
                    if (!r.ok()) return done(r.error());
                    done(Backend::Entry{std::move(r->player_id), r->score, r->rank});
                  });
}

void LeaderboardLuaBackend::Top(std::string board_id, int count, EntriesDone done) {
  service_.Top(std::move(board_id), size_t(count), ToEntries(alive_, std::move(done)));
}

void LeaderboardLuaBackend::Around(std::string board_id, std::string player_id, int range,
                                   EntriesDone done) {
  service_.Around(std::move(board_id), std::move(player_id), size_t(range),
                  ToEntries(alive_, std::move(done)));
}

}  // namespace asobi::leaderboard

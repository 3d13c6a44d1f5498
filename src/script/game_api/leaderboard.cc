// game.leaderboard.* (lua.md §9 Leaderboards; DECISIONS.md REST 4, Lua 2): submit, top, rank,
// around. Boards live on their owner shard, so every call suspends the callback's coroutine
// until the leaderboard backend answers (or the host's 2000 ms timeout answers
// `{error = "timeout"}`). Nothing here raises.
//
// `submit` is plain (`true`/`false`); beyond lua.md it takes an optional 4th argument, the
// operator "best" (default, DECISIONS.md REST 4), "set" or "incr". The reads are wrapped and
// see stored rows of boards that are not live (DECISIONS.md REST 4). docs/decisions.md
// "Leaderboards" has the details.
#include <cmath>
#include <lua.hpp>
#include <string>
#include <utility>
#include <vector>

#include "script/game_api/api_backends.h"
#include "script/game_api/api_namespaces.h"
#include "script/game_api/game_api.h"
#include "script/game_api/leaderboard_backend.h"

namespace asobi::script::game_api {
namespace {

constexpr double kMaxScore = 9007199254740992.0;  // 2^53, as the REST submit
constexpr int kMaxTop = 100;                      // lua.md §9 [C++]
constexpr int kMaxRange = 50;                     // as REST `range`

using Entries = std::vector<LeaderboardBackend::Entry>;

std::string ToString(lua_State* L, int index) {
  size_t n = 0;
  const char* s = lua_tolstring(L, index, &n);
  return std::string(s, n);
}

// A count argument truncated toward zero and clamped to lo..hi (NaN: lo).
int Count(lua_State* L, int index, int lo, int hi) {
  double d = std::trunc(lua_tonumber(L, index));
  if (!(d >= lo)) return lo;
  return d > hi ? hi : int(d);
}

// Suspends the running callback until `op(backend, done)` answers; `unavailable` pushes the
// answer when the backend went away between the call and the yield.
template <typename Op>
int Suspend(lua_State* L, Op op, int (*unavailable)(lua_State*)) {
  ApiHost* host = HostOf(L);
  if (host == nullptr || !host->CanSuspend(L)) return ApiError(L, "cannot_suspend_here");
  host->BeginAsync([host, op = std::move(op), unavailable](AsyncComplete done) mutable {
    LeaderboardBackend* backend = ApiBackends::OnThisShard().leaderboard;
    if (backend == nullptr) {
      host->RunAfterMs(0, [done = std::move(done), unavailable] { done(unavailable); });
      return;
    }
    op(*backend, std::move(done));
  });
  return lua_yield(L, 0);
}

int Unavailable(lua_State* L) { return ApiError(L, "leaderboard is not available"); }
int PushFalse(lua_State* L) {
  lua_pushboolean(L, 0);
  return 1;
}

int Submit(lua_State* L) {
  const int n = lua_gettop(L);
  if (n < 3 || n > 4 || lua_type(L, 1) != LUA_TSTRING || lua_type(L, 2) != LUA_TSTRING ||
      lua_type(L, 3) != LUA_TNUMBER ||
      (n == 4 && !lua_isnil(L, 4) && lua_type(L, 4) != LUA_TSTRING)) {
    return ApiUsage(L, "game.leaderboard.submit", "board_id, player_id, score[, op]");
  }
  std::string op = n == 4 && !lua_isnil(L, 4) ? ToString(L, 4) : "best";
  if (op != "best" && op != "set" && op != "incr") {
    return ApiUsage(L, "game.leaderboard.submit", "board_id, player_id, score[, op]");
  }
  const double d = std::trunc(lua_tonumber(L, 3));
  if (std::isnan(d)) return PushFalse(L);
  const int64_t score = d >= kMaxScore    ? int64_t(kMaxScore)
                        : d <= -kMaxScore ? -int64_t(kMaxScore)
                                          : int64_t(d);
  if (ApiBackends::OnThisShard().leaderboard == nullptr) return PushFalse(L);
  return Suspend(
      L,
      [board = ToString(L, 1), player = ToString(L, 2), score, op = std::move(op)](
          LeaderboardBackend& b, AsyncComplete done) mutable {
        b.Submit(std::move(board), std::move(player), score, std::move(op),
                 [done = std::move(done)](Result<LeaderboardBackend::Entry> r) {
                   bool ok = r.ok();
                   done([ok](lua_State* s) {
                     lua_pushboolean(s, ok ? 1 : 0);
                     return 1;
                   });
                 });
      },
      &PushFalse);
}

int PushEntries(lua_State* L, const Result<Entries>& r) {
  if (!r.ok()) return ApiError(L, r.error().reason);
  lua_createtable(L, 0, 1);
  lua_createtable(L, int(r->size()), 0);
  int i = 0;
  for (const LeaderboardBackend::Entry& e : r.value()) {
    lua_createtable(L, 0, 3);
    lua_pushlstring(L, e.player_id.data(), e.player_id.size());
    lua_setfield(L, -2, "player_id");
    lua_pushnumber(L, double(e.score));
    lua_setfield(L, -2, "score");
    lua_pushnumber(L, double(e.rank));
    lua_setfield(L, -2, "rank");
    lua_rawseti(L, -2, ++i);
  }
  lua_setfield(L, -2, "ok");
  return 1;
}

// Shared by top (empty player) and around / rank.
int Read(lua_State* L, std::string board, std::string player, int count, bool rank_only) {
  if (ApiBackends::OnThisShard().leaderboard == nullptr) return Unavailable(L);
  return Suspend(
      L,
      [board = std::move(board), player = std::move(player), count, rank_only](
          LeaderboardBackend& b, AsyncComplete done) mutable {
        auto reply = [done = std::move(done), player, rank_only](Result<Entries> r) {
          done([r = std::move(r), player, rank_only](lua_State* s) {
            if (!rank_only) return PushEntries(s, r);
            if (!r.ok()) return ApiError(s, r.error().reason);
            for (const LeaderboardBackend::Entry& e : r.value()) {
              if (e.player_id != player) continue;
              lua_createtable(s, 0, 1);
              lua_pushnumber(s, double(e.rank));
              lua_setfield(s, -2, "ok");
              return 1;
            }
            return ApiError(s, "not_found");
          });
        };
        if (player.empty()) {
          b.Top(std::move(board), count, std::move(reply));
        } else {
          b.Around(std::move(board), std::move(player), count, std::move(reply));
        }
      },
      &Unavailable);
}

int Top(lua_State* L) {
  if (lua_gettop(L) != 2 || lua_type(L, 1) != LUA_TSTRING || lua_type(L, 2) != LUA_TNUMBER) {
    return ApiUsage(L, "game.leaderboard.top", "board_id, count");
  }
  int count = Count(L, 2, 0, kMaxTop);
  if (count == 0) return PushEntries(L, Entries{});
  return Read(L, ToString(L, 1), std::string(), count, false);
}

int Rank(lua_State* L) {
  if (lua_gettop(L) != 2 || lua_type(L, 1) != LUA_TSTRING || lua_type(L, 2) != LUA_TSTRING) {
    return ApiUsage(L, "game.leaderboard.rank", "board_id, player_id");
  }
  std::string player = ToString(L, 2);
  if (player.empty()) return ApiError(L, "not_found");
  return Read(L, ToString(L, 1), std::move(player), 0, true);
}

int Around(lua_State* L) {
  if (lua_gettop(L) != 3 || lua_type(L, 1) != LUA_TSTRING || lua_type(L, 2) != LUA_TSTRING ||
      lua_type(L, 3) != LUA_TNUMBER) {
    return ApiUsage(L, "game.leaderboard.around", "board_id, player_id, count");
  }
  std::string player = ToString(L, 2);
  if (player.empty()) return PushEntries(L, Entries{});
  return Read(L, ToString(L, 1), std::move(player), Count(L, 3, 0, kMaxRange), false);
}

const ApiFunction kFunctions[] = {
    {"submit", &Submit},
    {"top", &Top},
    {"rank", &Rank},
    {"around", &Around},
};

}  // namespace

const ApiNamespace kLeaderboardNamespace = {"leaderboard", kFunctions, int(std::size(kFunctions)),
                                            kAllHosts, false};

}  // namespace asobi::script::game_api

// game.leaderboard.submit (lua.md §9) called from Lua: the CPU of one call on the calling
// shard, from the Lua call to the resumed coroutine holding `true`, with the board applied in
// between (Board::Submit on a board of kPlayers players, each submit raising one player's
// score). Not included: the hop to the owner shard and back through the mailboxes (one
// Shard::SubmitTo and one SubmitReplyTo; zero when the board lives on the caller's shard) and
// the host's 2000 ms timeout timer. Results in bench/README.md "Issue 12: Lua submits".
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <lua.hpp>
#include <memory>
#include <string>
#include <utility>

#include "game/leaderboard/board.h"
#include "script/game_api/api_backends.h"
#include "script/game_api/api_host.h"
#include "script/game_api/game_api.h"
#include "script/game_api/leaderboard_backend.h"
#include "script/lua_state.h"

namespace {

using asobi::leaderboard::Board;
using asobi::leaderboard::ParseSubmitOp;
using asobi::leaderboard::SubmitOp;
using asobi::script::LuaState;
using asobi::script::game_api::ApiBackends;
using asobi::script::game_api::ApiHost;
using asobi::script::game_api::AsyncComplete;
using asobi::script::game_api::AsyncReply;
using asobi::script::game_api::AsyncStart;
using asobi::script::game_api::HostKind;
using asobi::script::game_api::LeaderboardBackend;

constexpr int kPlayers = 1000;

// The board on this thread, answered in place (the real backend answers on a later turn).
class BoardBackend final : public LeaderboardBackend {
 public:
  void Submit(std::string, std::string player_id, int64_t score, std::string op,
              EntryDone done) override {
    asobi::leaderboard::RankedEntry e =
        board_.Submit(player_id, score, ParseSubmitOp(op).value_or(SubmitOp::kBest), 1);
    done(Entry{std::move(e.player_id), e.score, e.rank});
  }
  void Top(std::string, int, EntriesDone) override { std::abort(); }
  void Around(std::string, std::string, int, EntriesDone) override { std::abort(); }

 private:
  Board board_;
};

// A match host whose suspending calls complete when the bench says so.
class BenchHost final : public ApiHost {
 public:
  HostKind kind() const override { return HostKind::kMatch; }
  const std::string& instance_id() const override { return id_; }
  const std::string& script_name() const override { return id_; }
  bool AllowLog() override { return false; }
  void Broadcast(std::string_view, std::string_view) override {}
  void Send(std::string_view, std::string_view) override {}
  void SetJoinable(bool) override {}
  bool CanSuspend(lua_State*) override { return true; }
  void BeginAsync(AsyncStart start) override { start_ = std::move(start); }
  void RunAfterMs(int64_t, std::function<void()>) override {}

  AsyncStart start_;
  AsyncReply reply_;

 private:
  std::string id_ = "0190b000-0000-7000-8000-00000000be00";
};

constexpr char kSetup[] = R"(
  players = {}
  for i = 1, 1000 do players[i] = string.format("0190b000-0000-7000-8000-%012x", i) end
  function submits()
    local n = 0
    while true do
      n = n + 1
      if game.leaderboard.submit("bench", players[n % 1000 + 1], n) ~= true then error("no") end
    end
  end
)";

struct Fixture {
  BenchHost host;
  BoardBackend backend;
  std::unique_ptr<LuaState> state = std::move(LuaState::Create().value());
  lua_State* co = nullptr;
  Fixture() {
    ApiBackends::OnThisShard().leaderboard = &backend;
    lua_State* L = state->get();
    lua_pushcfunction(L, [](lua_State* s) {
      asobi::script::game_api::InstallGameApi(s, static_cast<BenchHost*>(lua_touserdata(s, 1)));
      return 0;
    });
    lua_pushlightuserdata(L, &host);
    if (lua_pcall(L, 1, 0, 0) != 0 || luaL_dostring(L, kSetup) != 0) std::abort();
    co = lua_newthread(L);
    luaL_ref(L, LUA_REGISTRYINDEX);  // keeps the coroutine
    lua_getglobal(co, "submits");
    if (lua_resume(co, 0) != LUA_YIELD) std::abort();  // suspended in the first submit
  }
  // One submit: the backend applies the suspended call, the coroutine resumes with its
  // reply and suspends in the next submit.
  void Step() {
    AsyncStart start = std::move(host.start_);
    start([this](AsyncReply r) { host.reply_ = std::move(r); });
    int n = host.reply_(co);
    if (lua_resume(co, n) != LUA_YIELD) {
      std::fprintf(stderr, "%s\n", lua_tostring(co, -1));
      std::abort();
    }
  }
};

void BM_LuaSubmit(benchmark::State& state) {
  Fixture f;
  for (int i = 0; i < kPlayers; ++i) f.Step();  // every player has an entry
  for (auto _ : state) f.Step();
}
BENCHMARK(BM_LuaSubmit);

// Board::Submit alone on the same board, for the difference.
void BM_BoardSubmit(benchmark::State& state) {
  Board board;
  std::string players[kPlayers];
  for (int i = 0; i < kPlayers; ++i) {
    char id[40];
    std::snprintf(id, sizeof id, "0190b000-0000-7000-8000-%012x", i + 1);
    players[i] = id;
  }
  int64_t n = 0;
  for (auto _ : state) {
    ++n;
    benchmark::DoNotOptimize(board.Submit(players[n % kPlayers], n, SubmitOp::kBest, 1));
  }
}
BENCHMARK(BM_BoardSubmit);

}  // namespace

BENCHMARK_MAIN();

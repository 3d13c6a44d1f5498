// game.kv (lua.md §18: "reads must be cheap enough to make per tick"): the cost of one
// game.kv.get, set and merge called from Lua on a small entity-like value, with 10,000 other
// keys in the shard's store. Results in bench/README.md "Issue 12: game.kv".
#include <benchmark/benchmark.h>

#include <lua.hpp>
#include <string>

#include "script/game_api/api_host.h"
#include "script/game_api/game_api.h"
#include "script/lua_state.h"

namespace {

using asobi::script::LuaState;
using asobi::script::game_api::ApiHost;
using asobi::script::game_api::AsyncStart;
using asobi::script::game_api::HostKind;

// A match host that does nothing but name the instance (kv scopes by instance id).
class BenchHost final : public ApiHost {
 public:
  HostKind kind() const override { return HostKind::kMatch; }
  const std::string& instance_id() const override { return id_; }
  const std::string& script_name() const override { return id_; }
  bool AllowLog() override { return false; }
  void Broadcast(std::string_view, std::string_view) override {}
  void Send(std::string_view, std::string_view) override {}
  void SetJoinable(bool) override {}
  bool CanSuspend(lua_State*) override { return false; }
  void BeginAsync(AsyncStart) override {}
  void RunAfterMs(int64_t, std::function<void()>) override {}

 private:
  std::string id_ = "0190b000-0000-7000-8000-00000000be00";
};

constexpr char kSetup[] = R"(
  for i = 1, 10000 do game.kv.set("other", "k" .. i, { n = i }) end
  game.kv.set("units", "u1", { hp = 80, name = "orc", x = 12.5, y = -3, alive = true,
                               tags = { "a", "b" } })
  function do_get() return game.kv.get("units", "u1") end
  function do_set() return game.kv.set("units", "u2", { hp = 80, name = "orc", x = 12.5 }) end
  function do_merge() return game.kv.merge("units", "u1", { hp = { incr = 1 }, alive = { latch = true } }) end
)";

struct Fixture {
  BenchHost host;
  std::unique_ptr<LuaState> state = std::move(LuaState::Create().value());
  Fixture() {
    lua_State* L = state->get();
    lua_pushcfunction(L, [](lua_State* s) {
      asobi::script::game_api::InstallGameApi(s, static_cast<BenchHost*>(lua_touserdata(s, 1)));
      return 0;
    });
    lua_pushlightuserdata(L, &host);
    if (lua_pcall(L, 1, 0, 0) != 0 || luaL_dostring(L, kSetup) != 0) std::abort();
  }
};

Fixture& Shared() {
  static Fixture f;
  return f;
}

void Call(benchmark::State& state, const char* fn) {
  lua_State* L = Shared().state->get();
  for (auto _ : state) {
    lua_getglobal(L, fn);
    if (lua_pcall(L, 0, 1, 0) != 0) std::abort();
    lua_pop(L, 1);
  }
}

void BM_KvGet(benchmark::State& state) { Call(state, "do_get"); }
BENCHMARK(BM_KvGet);
void BM_KvSet(benchmark::State& state) { Call(state, "do_set"); }
BENCHMARK(BM_KvSet);
void BM_KvMerge(benchmark::State& state) { Call(state, "do_merge"); }
BENCHMARK(BM_KvMerge);

}  // namespace

BENCHMARK_MAIN();

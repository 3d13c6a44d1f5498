// The lock-free watchdog (script/watchdog.h): deadlines fire on time whatever else is armed,
// on any number of threads and nesting levels, and a disarmed slot is never fired.
#include "script/watchdog.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <lua.hpp>
#include <memory>
#include <thread>
#include <vector>

#include "script/budget.h"
#include "script/lua_state.h"
#include "script_test_util.h"

namespace asobi::script {
namespace {

using test_util::RunLua;

int64_t ElapsedMs(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               since)
      .count();
}

std::unique_ptr<LuaState> NewState() {
  auto state = LuaState::Create();
  EXPECT_TRUE(state.ok());
  if (!BudgetStopsCompiledLoops()) {
    luaJIT_setmode(state.value()->get(), 0, LUAJIT_MODE_ENGINE | LUAJIT_MODE_OFF);
  }
  return std::move(state.value());
}

// The watchdog NestedCall arms (the default one unless a test sets its own).
Watchdog* g_watchdog = nullptr;

// nested(budget_ms, f): calls f under its own budget and returns whether it timed out.
int NestedCall(lua_State* L) {
  const int budget_ms = int(luaL_checkinteger(L, 1));
  luaL_checktype(L, 2, LUA_TFUNCTION);
  lua_pushvalue(L, 2);
  CallResult r = CallWithBudget(L, 0, 0, budget_ms, *g_watchdog);
  lua_pushboolean(L, r.status == CallStatus::kTimeout);
  return 1;
}

TEST(WatchdogTest, TimesOutCloseToTheDeadline) {
  auto state = NewState();
  const auto t0 = std::chrono::steady_clock::now();
  CallResult r = RunLua(state->get(), "while true do end", 0, 100);
  const int64_t ms = ElapsedMs(t0);
  EXPECT_EQ(r.status, CallStatus::kTimeout);
  EXPECT_GE(ms, 100);
  EXPECT_LT(ms, 1000);  // generous: the machine may be loaded
}

// The watchdog sleeps until the earliest deadline it saw (the outer 10 s one); the inner
// 50 ms deadline, armed later, must wake it. A fresh watchdog, idle before the outer call, so
// no earlier test's deadline wakes it by chance.
TEST(WatchdogTest, ShorterInnerDeadlineWakesTheWatchdog) {
  Watchdog watchdog;
  g_watchdog = &watchdog;
  auto state = NewState();
  lua_State* L = state->get();
  lua_pushcfunction(L, &NestedCall);
  lua_setglobal(L, "nested");
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_EQ(luaL_loadstring(L, "return nested(50, function() while true do end end)"), 0);
  CallResult r = CallWithBudget(L, 0, 1, 10000, watchdog);
  g_watchdog = &Watchdog::Default();
  const int64_t ms = ElapsedMs(t0);
  ASSERT_TRUE(r.ok()) << r.message;
  EXPECT_TRUE(lua_toboolean(L, -1));
  lua_pop(L, 1);
  EXPECT_LT(ms, 2000);
}

// More nesting levels than one chunk of slots holds (8): every level is armed.
TEST(WatchdogTest, DeepNestingArmsEveryLevel) {
  g_watchdog = &Watchdog::Default();
  auto state = NewState();
  lua_State* L = state->get();
  lua_pushcfunction(L, &NestedCall);
  lua_setglobal(L, "nested");
  const auto t0 = std::chrono::steady_clock::now();
  CallResult r = RunLua(L, R"(
    local function level(n)
      if n == 0 then
        return nested(50, function() while true do end end)
      end
      local timed_out
      nested(10000, function() timed_out = level(n - 1) end)
      return timed_out
    end
    return level(20))",
                        1, 20000);
  ASSERT_TRUE(r.ok()) << r.message;
  EXPECT_TRUE(lua_toboolean(L, -1));
  lua_pop(L, 1);
  EXPECT_LT(ElapsedMs(t0), 5000);
}

TEST(WatchdogTest, EndlessLoopsOnManyThreadsAllStop) {
  constexpr int kThreads = 4;
  std::atomic<int> timeouts{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&timeouts] {
      auto state = NewState();
      for (int round = 0; round < 3; ++round) {
        CallResult r = RunLua(state->get(), "while true do end", 0, 30);
        if (r.status == CallStatus::kTimeout) timeouts.fetch_add(1);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(timeouts.load(), kThreads * 3);
}

// Many short calls whose deadlines pass right after they return: a disarmed slot must never
// fire into the next call (which would time out a call that ran for microseconds).
TEST(WatchdogTest, DisarmedDeadlinesNeverFireLater) {
  auto state = NewState();
  lua_State* L = state->get();
  int failures = 0;
  const auto t0 = std::chrono::steady_clock::now();
  while (ElapsedMs(t0) < 300) {
    Watchdog& w = Watchdog::Default();
    Budget shortlived(w, L, 1);
    if (shortlived.Finish()) continue;  // fired while we were descheduled: fine
    CallResult r = RunLua(L, "return 1", 0, 1000);
    if (!r.ok()) ++failures;
  }
  EXPECT_EQ(failures, 0);
}

TEST(WatchdogTest, SlotsOfAnExitedThreadAreReleased) {
  Watchdog watchdog;
  for (int i = 0; i < 3; ++i) {
    std::thread([&watchdog] {
      auto state = NewState();
      ASSERT_EQ(luaL_loadstring(state->get(), "while true do end"), 0);
      EXPECT_EQ(CallWithBudget(state->get(), 0, 0, 20, watchdog).status, CallStatus::kTimeout);
    }).join();
  }
  // Destroying the watchdog with blocks of exited threads must be clean (ASan checks).
}

}  // namespace
}  // namespace asobi::script

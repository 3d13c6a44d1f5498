// Wall-clock budgets (lua.md §13): runaway callbacks are stopped and the state stays usable.
#include "script/budget.h"

#include <gtest/gtest.h>

#include <lua.hpp>
#include <string>

#include "script/lua_state.h"
#include "script_test_util.h"

namespace asobi::script {
namespace {

using test_util::Eval;
using test_util::RunLua;

constexpr int kBudgetMs = 50;

class BudgetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto state = LuaState::Create();
    ASSERT_TRUE(state.ok()) << state.error().message;
    state_ = std::move(state.value());
    L = state_->get();
    // Without the checkhook build a compiled loop cannot be stopped (see
    // third_party/luajit/README.md); test the rest with the interpreter only.
    if (!BudgetStopsCompiledLoops()) luaJIT_setmode(L, 0, LUAJIT_MODE_ENGINE | LUAJIT_MODE_OFF);
  }
  void ExpectTimeout(const char* code) {
    CallResult r = RunLua(L, code, 0, kBudgetMs);
    EXPECT_EQ(r.status, CallStatus::kTimeout) << code << " -> " << r.message;
    EXPECT_STREQ(r.reason_class(), "timeout");
    EXPECT_EQ(lua_gettop(L), 0);
    // The state is usable afterwards and the hook is gone.
    EXPECT_EQ(Eval(L, "(function() local s = 0 for i = 1, 1e6 do s = s + i end return s end)()"),
              "500000500000");
  }
  std::unique_ptr<LuaState> state_;
  lua_State* L = nullptr;
};

TEST_F(BudgetTest, StopsJitCompiledInfiniteLoop) {
  ASSERT_TRUE(BudgetStopsCompiledLoops()) << "system LuaJIT lacks LUAJIT_ENABLE_CHECKHOOK";
  ExpectTimeout("local x = 0 while true do x = x + 1 end");
}

TEST_F(BudgetTest, StopsInterpretedInfiniteLoop) {
  luaJIT_setmode(L, 0, LUAJIT_MODE_ENGINE | LUAJIT_MODE_OFF);
  ExpectTimeout("local x = 0 while true do x = x + 1 end");
}

TEST_F(BudgetTest, PcallInsideTheScriptCannotSwallowTheTimeout) {
  ExpectTimeout(R"(
    while true do
      local ok, err = pcall(function() while true do end end)
    end)");
}

TEST_F(BudgetTest, XpcallHandlerThatLoopsCannotSwallowTheTimeout) {
  ExpectTimeout(R"(
    while true do
      xpcall(function() while true do end end, function(e) while true do end end)
    end)");
}

TEST_F(BudgetTest, ErrorInsideSortComparatorStillTimesOut) {
  ExpectTimeout("local t = {3, 2, 1} table.sort(t, function(a, b) while true do end end)");
}

TEST_F(BudgetTest, FastCallIsOkAndKeepsResults) {
  CallResult r = RunLua(L, "return 1 + 1, 'x'", 2, kBudgetMs);
  ASSERT_TRUE(r.ok()) << r.message;
  EXPECT_EQ(lua_tonumber(L, -2), 2);
  EXPECT_STREQ(lua_tostring(L, -1), "x");
  lua_pop(L, 2);
  EXPECT_EQ(lua_gettop(L), 0);
}

TEST_F(BudgetTest, RuntimeErrorCarriesFileAndLine) {
  CallResult r = RunLua(L, "local a = 1\nerror('boom')", 0, kBudgetMs);
  EXPECT_EQ(r.status, CallStatus::kRuntimeError);
  EXPECT_STREQ(r.reason_class(), "runtime_error");
  EXPECT_EQ(r.message, "test:2: boom");
  r = RunLua(L, "local t = nil\nlocal x = 1\nreturn t.field", 0, kBudgetMs);
  EXPECT_NE(r.message.find("test:3:"), std::string::npos) << r.message;
  EXPECT_EQ(lua_gettop(L), 0);
}

TEST_F(BudgetTest, NonStringErrorIsDescribedWithPosition) {
  CallResult r = RunLua(L, "local a = 1\n\nerror({code = 1})", 0, kBudgetMs);
  EXPECT_EQ(r.status, CallStatus::kRuntimeError);
  EXPECT_EQ(r.message, "test:3: (error object is a table value)");
}

TEST_F(BudgetTest, CallingANonFunctionIsARuntimeError) {
  lua_pushnumber(L, 5);
  CallResult r = CallWithBudget(L, 0, 0, kBudgetMs);
  EXPECT_EQ(r.status, CallStatus::kRuntimeError);
  EXPECT_EQ(lua_gettop(L), 0);
}

TEST_F(BudgetTest, ZeroBudgetMeansNoDeadline) {
  CallResult r = RunLua(L, "local s = 0 for i = 1, 1e7 do s = s + 1 end return s", 1, 0);
  ASSERT_TRUE(r.ok()) << r.message;
  EXPECT_EQ(lua_tonumber(L, -1), 1e7);
  lua_pop(L, 1);
}

TEST_F(BudgetTest, OwnWatchdogInstanceWorks) {
  Watchdog watchdog;
  ASSERT_EQ(luaL_loadstring(L, "while true do end"), 0);
  CallResult r = CallWithBudget(L, 0, 0, kBudgetMs, watchdog);
  EXPECT_EQ(r.status, CallStatus::kTimeout);
}

// A host function that calls back into Lua with its own (longer) budget: the outer budget
// still stops the script.
int NestedCall(lua_State* L) {
  luaL_checktype(L, 1, LUA_TFUNCTION);
  lua_pushvalue(L, 1);
  CallResult r = CallWithBudget(L, 0, 0, 10000);
  lua_pushboolean(L, r.ok());
  return 1;
}

TEST_F(BudgetTest, NestedCallsStillTimeOut) {
  lua_pushcfunction(L, &NestedCall);
  lua_setglobal(L, "nested");
  ExpectTimeout("nested(function() while true do end end) while true do end");
}

TEST(BudgetPlainStateTest, WorksOnAStateNotMadeByLuaState) {
  lua_State* L = luaL_newstate();
  luaL_openlibs(L);
  if (!BudgetStopsCompiledLoops()) luaJIT_setmode(L, 0, LUAJIT_MODE_ENGINE | LUAJIT_MODE_OFF);
  ASSERT_EQ(luaL_loadstring(L, "while true do end"), 0);
  CallResult r = CallWithBudget(L, 0, 0, kBudgetMs);
  EXPECT_EQ(r.status, CallStatus::kTimeout);
  ASSERT_EQ(luaL_loadstring(L, "error('x', 0)"), 0);
  r = CallWithBudget(L, 0, 0, kBudgetMs);
  EXPECT_EQ(r.message, "x");
  lua_close(L);
}

}  // namespace
}  // namespace asobi::script

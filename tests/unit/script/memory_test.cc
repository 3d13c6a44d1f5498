// Memory caps (lua.md §13): runaway allocation fails the callback, not the process.
#include <gtest/gtest.h>

#include <lua.hpp>
#include <string>

#include "script/lua_state.h"
#include "script_test_util.h"

namespace asobi::script {
namespace {

using test_util::Eval;
using test_util::RunLua;

constexpr size_t kMiB = size_t{1} << 20;

std::unique_ptr<LuaState> MakeState(size_t max_mib, size_t growth_mib) {
  LuaStateOptions options;
  options.memory.max_bytes = max_mib * kMiB;
  options.memory.callback_growth_max_bytes = growth_mib * kMiB;
  auto state = LuaState::Create(options);
  EXPECT_TRUE(state.ok());
  return std::move(state.value());
}

constexpr char kUnbounded[] =
    "local t = {} local i = 0 while true do i = i + 1 t[i] = string.rep('x', 1000) .. i end";

TEST(MemoryTest, UnboundedAllocationFailsWithAMemoryError) {
  auto state = MakeState(256, 40);
  lua_State* L = state->get();
  CallResult r = RunLua(L, kUnbounded, 0, 10000);
  EXPECT_EQ(r.status, CallStatus::kRuntimeError);
  EXPECT_TRUE(r.memory_exceeded);
  EXPECT_FALSE(r.unrecoverable);
  EXPECT_NE(r.message.find("not enough memory"), std::string::npos) << r.message;
  EXPECT_EQ(lua_gettop(L), 0);
  // The state recovers once the garbage is collected.
  lua_gc(L, LUA_GCCOLLECT, 0);
  EXPECT_LT(state->live_bytes(), 8 * kMiB);
  EXPECT_EQ(Eval(L, "#string.rep('y', 1000000)"), "1000000");
}

TEST(MemoryTest, HardCapBindsBelowTheGrowthCap) {
  auto state = MakeState(16, 40);
  CallResult r = RunLua(state->get(), kUnbounded, 0, 10000);
  EXPECT_TRUE(r.memory_exceeded);
  EXPECT_LE(state->memory().peak_bytes(), 16 * kMiB);
}

// Keeps about `mib` MiB of distinct small strings in global `name` (no big temporary
// buffers; the name is part of each string so that calls do not share interned strings).
std::string KeepStrings(const std::string& name, int mib) {
  return name + " = {} for i = 1, " + std::to_string(mib) + " * 8192 do " + name +
         "[i] = string.format('%s%090d', '" + name + "', i) end";
}

TEST(MemoryTest, GrowthCapIsPerCallback) {
  auto state = MakeState(256, 8);
  lua_State* L = state->get();
  // Each call keeps ~3 MiB: under the 8 MiB growth cap per call, though the total is not.
  for (int i = 0; i < 4; ++i) {
    CallResult r = RunLua(L, KeepStrings("keep" + std::to_string(i), 3));
    EXPECT_TRUE(r.ok()) << i << ": " << r.message;
  }
  EXPECT_GT(state->live_bytes(), 12 * kMiB);
  CallResult r = RunLua(L, KeepStrings("big", 12));
  EXPECT_EQ(r.status, CallStatus::kRuntimeError);
  EXPECT_TRUE(r.memory_exceeded);
}

TEST(MemoryTest, RefusalIsStickyWithinTheCallback) {
  auto state = MakeState(256, 8);
  // The script catches the first failure, then tries a small allocation: refused too.
  CallResult r = RunLua(state->get(), R"(
    local ok = pcall(function() return string.rep('x', 16 * 1024 * 1024) end)
    assert(not ok)
    local t = {}
    for i = 1, 1000 do t[i] = {i} end
    survived = true
  )");
  EXPECT_EQ(r.status, CallStatus::kRuntimeError);
  EXPECT_TRUE(r.memory_exceeded);
  EXPECT_EQ(Eval(state->get(), "survived"), "nil");
}

TEST(MemoryTest, LiveBytesTrackTheState) {
  auto state = MakeState(256, 40);
  const size_t before = state->live_bytes();
  EXPECT_GT(before, 0u);
  ASSERT_TRUE(RunLua(state->get(), KeepStrings("blob", 4)).ok());
  const size_t with_blob = state->live_bytes();
  EXPECT_GE(with_blob, before + 4 * kMiB);
  ASSERT_TRUE(RunLua(state->get(), "blob = nil").ok());
  lua_gc(state->get(), LUA_GCCOLLECT, 0);
  EXPECT_LT(state->live_bytes(), with_blob - 3 * kMiB);
}

TEST(MemoryTest, TooSmallLimitFailsCreation) {
  LuaStateOptions options;
  options.memory.max_bytes = 4096;
  auto state = LuaState::Create(options);
  EXPECT_FALSE(state.ok());
  if (!state.ok()) {
    EXPECT_EQ(state.error().reason, "lua_state_failed");
  }
}

}  // namespace
}  // namespace asobi::script

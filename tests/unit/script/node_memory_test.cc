// The node-wide Lua memory budget (issue 10, defect 8; docs/decisions.md "Node Lua memory"):
// states reserve their bytes from one shared cap; when it is reached the biggest states are
// refused first, small ones keep working up to a hard ceiling, and new states are no longer
// admitted.
#include <gtest/gtest.h>

#include <lua.hpp>
#include <memory>
#include <string>
#include <vector>

#include "script/lua_node_memory.h"
#include "script/lua_state.h"
#include "script_test_util.h"

namespace asobi::script {
namespace {

using test_util::RunLua;

constexpr size_t kMiB = size_t{1} << 20;

TEST(LuaNodeMemory, FairSharePolicyAtTheCap) {
  LuaNodeMemory node(8 * kMiB);  // ceiling 9 MiB
  node.Attach();
  node.Attach();                                     // fair share: 4 MiB each
  EXPECT_TRUE(node.TryReserve(6 * kMiB, 6 * kMiB));  // big state, below the cap
  EXPECT_TRUE(node.TryReserve(2 * kMiB, 2 * kMiB));  // exactly the cap
  EXPECT_FALSE(node.TryReserve(kMiB, 7 * kMiB)) << "over the cap and above its fair share";
  EXPECT_EQ(node.refusals(), 1u);
  EXPECT_TRUE(node.TryReserve(kMiB, 3 * kMiB)) << "small state: may pass the cap";
  EXPECT_FALSE(node.TryReserve(kMiB / 2, 3 * kMiB + kMiB / 2)) << "but not the ceiling";
  EXPECT_EQ(node.reserved_bytes(), 9 * kMiB);
  node.Release(3 * kMiB);
  EXPECT_EQ(node.reserved_bytes(), 6 * kMiB);
  EXPECT_TRUE(node.TryReserve(kMiB, 7 * kMiB));
}

TEST(LuaNodeMemory, AdmissionStopsAtSevenEighths) {
  LuaNodeMemory node(8 * kMiB);
  EXPECT_TRUE(node.TryReserve(7 * kMiB - 1, 7 * kMiB - 1));
  EXPECT_TRUE(node.AdmitNewState());
  EXPECT_TRUE(node.TryReserve(1, 7 * kMiB));
  EXPECT_FALSE(node.AdmitNewState());
  EXPECT_EQ(node.admission_refusals(), 1u);
  LuaNodeMemory unlimited(0);
  EXPECT_TRUE(unlimited.TryReserve(size_t{1} << 40, size_t{1} << 40));
  EXPECT_TRUE(unlimited.AdmitNewState());
}

class NodeMemoryStateTest : public ::testing::Test {
 protected:
  std::unique_ptr<LuaState> NewState(LuaNodeMemory* node) {
    LuaStateOptions o;
    o.memory.node = node;
    o.memory.callback_growth_max_bytes = 64 * kMiB;
    auto state = LuaState::Create(o);
    EXPECT_TRUE(state.ok()) << (state.ok() ? "" : state.error().message);
    return state.ok() ? std::move(state.value()) : nullptr;
  }
  // Keeps `mib` more MiB of strings alive in the global `hold` (distinct lengths: no garbage,
  // no interning).
  static CallResult Hold(lua_State* L, int mib) {
    return RunLua(L,
                  "hold = hold or {} for i = 1, " + std::to_string(mib) +
                      " do hold[#hold + 1] = string.rep('x', 1048576 - 64 - #hold) end",
                  0, 5000);
  }
};

TEST_F(NodeMemoryStateTest, ReservationFollowsTheStateAndIsReturnedOnClose) {
  LuaNodeMemory node(0);
  auto a = NewState(&node);
  ASSERT_TRUE(a);
  EXPECT_EQ(node.states(), 1);
  EXPECT_GE(node.reserved_bytes(), a->live_bytes());
  EXPECT_LE(node.reserved_bytes(), a->live_bytes() + 3 * LuaNodeMemory::kGrantBytes);
  ASSERT_TRUE(Hold(a->get(), 4).ok());
  EXPECT_GE(node.reserved_bytes(), 4 * kMiB);
  ASSERT_TRUE(RunLua(a->get(), "hold = nil", 0).ok());
  lua_gc(a->get(), LUA_GCCOLLECT, 0);
  EXPECT_LT(node.reserved_bytes(), kMiB) << "freed bytes go back to the node";
  a.reset();
  EXPECT_EQ(node.reserved_bytes(), 0u);
  EXPECT_EQ(node.states(), 0);
}

TEST_F(NodeMemoryStateTest, TheBiggestStateIsRefusedWhileSmallOnesKeepGrowing) {
  LuaNodeMemory node(32 * kMiB);  // two states: fair share 16 MiB, ceiling 36 MiB
  auto big = NewState(&node);
  auto small = NewState(&node);
  ASSERT_TRUE(big && small);
  ASSERT_TRUE(Hold(big->get(), 24).ok());
  ASSERT_TRUE(Hold(small->get(), 4).ok());  // (plus its 1 MiB string buffer) near the cap
  CallResult r = Hold(big->get(), 8);       // would pass the cap: refused
  EXPECT_EQ(r.status, CallStatus::kRuntimeError);
  EXPECT_TRUE(r.memory_exceeded) << r.message;
  EXPECT_GE(node.refusals(), 1u);
  EXPECT_TRUE(Hold(small->get(), 2).ok()) << "under its fair share: still grows past the cap";
  EXPECT_GT(node.reserved_bytes(), node.max_bytes());
  EXPECT_LE(node.reserved_bytes(), node.max_bytes() + node.max_bytes() / 8);
  // The big state still works within what it holds.
  EXPECT_EQ(test_util::Eval(big->get(), "#hold >= 24"), "true");
}

TEST_F(NodeMemoryStateTest, NothingGrowsPastTheCeiling) {
  LuaNodeMemory node(8 * kMiB);
  std::vector<std::unique_ptr<LuaState>> states;
  for (int i = 0; i < 8; ++i) {
    states.push_back(NewState(&node));
    ASSERT_TRUE(states.back());
  }
  // Each state tries to keep 2 MiB: fair share is 1 MiB, so at most the ceiling is reserved.
  int refused = 0;
  for (auto& s : states) {
    if (!Hold(s->get(), 2).ok()) ++refused;
  }
  EXPECT_GT(refused, 0);
  EXPECT_LE(node.reserved_bytes(), node.max_bytes() + node.max_bytes() / 8);
}

}  // namespace
}  // namespace asobi::script

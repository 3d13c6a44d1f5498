// script/game_api/merge_ops.h (lua.md §18): reading ops tables from Lua and applying them to
// stored JSON objects, including the cases the integration test does not reach (null fields,
// non-finite results, field order, escaping).
#include "script/game_api/merge_ops.h"

#include <gtest/gtest.h>

#include <lua.hpp>
#include <string>

#include "script/lua_state.h"

namespace asobi::script::game_api {
namespace {

class MergeOpsTest : public ::testing::Test {
 protected:
  // Evaluates `lua` (an expression) and reads it as ops.
  Result<MergeOps> Read(const std::string& lua) {
    lua_State* L = state_->get();
    EXPECT_EQ(luaL_dostring(L, ("return " + lua).c_str()), 0) << lua_tostring(L, -1);
    Result<MergeOps> ops = ReadMergeOps(L, -1, 64);
    lua_pop(L, 1);
    EXPECT_EQ(lua_gettop(L), 0);
    return ops;
  }
  std::string Apply(const std::string& current, const std::string& lua) {
    Result<MergeOps> ops = Read(lua);
    if (!ops.ok()) return "read: " + ops.error().reason;
    Result<std::string> r = ApplyMergeOps(current, *ops);
    return r.ok() ? *r : "apply: " + r.error().reason;
  }
  std::unique_ptr<LuaState> state_ = std::move(LuaState::Create().value());
};

TEST_F(MergeOpsTest, AppliesEachOperator) {
  EXPECT_EQ(Apply("", "{hp = {set = 40}}"), R"({"hp":40})");
  EXPECT_EQ(Apply(R"({"a":1,"hp":2})", "{hp = {incr = -0.5}}"), R"({"a":1,"hp":1.5})");
  EXPECT_EQ(Apply(R"({"m":5})", "{m = {min = 7}, n = {min = 7}}"), R"({"m":5,"n":7})");
  EXPECT_EQ(Apply(R"({"m":5})", "{m = {max = 7}}"), R"({"m":7})");
  EXPECT_EQ(Apply(R"({"w":true})", "{w = {latch = false}}"), R"({"w":true})");
  EXPECT_EQ(Apply(R"({"s":"x"})", "{s = {set_if_absent = 'y'}, t = {set_if_absent = 'z'}}"),
            R"({"s":"x","t":"z"})");
  EXPECT_EQ(Apply(R"({"s":"x"})", "{s = {set = {1, 2}}}"), R"({"s":[1,2]})");
}

TEST_F(MergeOpsTest, NullFieldsAreAbsent) {
  EXPECT_EQ(Apply(R"({"n":null})", "{n = {incr = 2}}"), R"({"n":2})");
  EXPECT_EQ(Apply(R"({"n":null})", "{n = {set_if_absent = 1}}"), R"({"n":1})");
  EXPECT_EQ(Apply(R"({"n":null})", "{n = {latch = true}}"), R"({"n":true})");
}

TEST_F(MergeOpsTest, Errors) {
  EXPECT_EQ(Apply("", "{hp = 1}"), "read: invalid_ops: hp: expected {operator = value}");
  EXPECT_EQ(Apply("", "{hp = {add = 1}}"), "read: invalid_ops: hp: unknown operator add");
  EXPECT_EQ(Apply("", "{hp = {incr = 0/0}}"), "read: invalid_ops: hp: incr needs a finite number");
  EXPECT_EQ(Apply("", "{hp = {set = string.rep('x', 100)}}"), "read: value_too_large");
  EXPECT_EQ(Apply("", "{}"), "read: invalid_ops: no fields");
  // Fields are sorted, so the first bad one in name order is named.
  EXPECT_EQ(Apply("", "{b = 1, a = 2}"), "read: invalid_ops: a: expected {operator = value}");
  EXPECT_EQ(Apply(R"({"x":1e308})", "{x = {incr = 1e308}}"),
            "apply: invalid_ops: x: result out of range");
  EXPECT_EQ(Apply(R"({"x":[1]})", "{x = {max = 1}}"),
            "apply: invalid_ops: x: max on a stored value that is not a number");
  EXPECT_EQ(Apply("[1]", "{x = {set = 1}}"), "apply: not_an_object");
  EXPECT_EQ(Apply("3", "{x = {set = 1}}"), "apply: not_an_object");
}

TEST_F(MergeOpsTest, KeysAreEscaped) {
  EXPECT_EQ(Apply(R"({"q\"k":1})", "{['q\"k'] = {incr = 1}, ['n\\n'] = {set = true}}"),
            "{\"q\\\"k\":2,\"n\\n\":true}");
}

}  // namespace
}  // namespace asobi::script::game_api

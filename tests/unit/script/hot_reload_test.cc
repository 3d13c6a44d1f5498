// script::ReloadMainChunk (lua.md §16): new code replaces top-level functions and globals while
// other globals and the module cache's absence survive; a syntax error changes nothing; a
// runtime error or an overrun restores `_G` and `_ASOBI_LOADED`; the watched file list follows.
#include "script/hot_reload.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "script/lua_state.h"
#include "script/protected_call.h"
#include "script/require.h"
#include "script_test_util.h"

namespace asobi::script {
namespace {

using test_util::Eval;
using test_util::RunLua;

class HotReloadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = LuaState::Create(LuaStateOptions{});
    ASSERT_TRUE(s.ok());
    state_ = std::move(s.value());
    RequireConfig rc{"/nowhere", "", nullptr};
    ASSERT_TRUE(RunProtected(L(), [&](lua_State* l) { InstallRequire(l, rc, &files_); }).ok);
    files_.assign({"/game/main.lua", "/game/lib/a.lua"});
    ASSERT_TRUE(RunLua(L(),
                       "function f() return 'v1' end; function keep() kept = {n = 5} end; "
                       "keep(); _ASOBI_LOADED.mod = 7")
                    .ok());
  }
  lua_State* L() { return state_->get(); }
  Status Reload(const std::string& src, int budget_ms = 2000) {
    return ReloadMainChunk(L(), src, "main.lua", budget_ms, "/game/main.lua", &files_);
  }

  std::unique_ptr<LuaState> state_;
  std::vector<std::string> files_;
};

TEST_F(HotReloadTest, NewCodeReplacesTopLevelAndKeepsTheRest) {
  ASSERT_TRUE(Reload("function f() return 'v2' end; speed = 4").ok());
  EXPECT_EQ(Eval(L(), "f()"), "v2");
  EXPECT_EQ(Eval(L(), "speed"), "4");
  EXPECT_EQ(Eval(L(), "kept.n"), "5");               // not assigned by the chunk: kept
  EXPECT_EQ(Eval(L(), "_ASOBI_LOADED.mod"), "nil");  // the module cache was emptied
  EXPECT_EQ(files_, std::vector<std::string>{"/game/main.lua"});
}

TEST_F(HotReloadTest, SyntaxErrorChangesNothing) {
  Status st = Reload("function f( return 'v2' end");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().reason, "reload_failed");
  EXPECT_NE(st.error().message.find("main.lua:1:"), std::string::npos) << st.error().message;
  EXPECT_EQ(Eval(L(), "f()"), "v1");
  EXPECT_EQ(Eval(L(), "_ASOBI_LOADED.mod"), "7");
  EXPECT_EQ(files_, (std::vector<std::string>{"/game/main.lua", "/game/lib/a.lua"}));
}

TEST_F(HotReloadTest, RuntimeErrorRestoresGlobalsAndTheModuleCache) {
  Status st = Reload("function f() return 'v3' end; fresh = 1; error('boom')");
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("boom"), std::string::npos) << st.error().message;
  EXPECT_EQ(Eval(L(), "f()"), "v1");
  EXPECT_EQ(Eval(L(), "fresh"), "nil");  // added by the failed chunk: removed
  EXPECT_EQ(Eval(L(), "_ASOBI_LOADED.mod"), "7");
  EXPECT_EQ(Eval(L(), "kept.n"), "5");
  EXPECT_EQ(files_, (std::vector<std::string>{"/game/main.lua", "/game/lib/a.lua"}));
}

TEST_F(HotReloadTest, OverrunRestoresAndNamesTheBudget) {
  Status st = Reload("function f() return 'v4' end; while true do end", 50);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().message, "top level exceeded its 50 ms budget");
  EXPECT_EQ(Eval(L(), "f()"), "v1");
  // The state still runs code afterwards.
  ASSERT_TRUE(Reload("function f() return 'v5' end").ok());
  EXPECT_EQ(Eval(L(), "f()"), "v5");
}

}  // namespace
}  // namespace asobi::script

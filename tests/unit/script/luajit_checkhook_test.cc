// Task: the LuaJIT we link must notice a count hook set from another thread while a
// JIT-compiled loop runs (LUAJIT_ENABLE_CHECKHOOK, third_party/luajit/README.md).
#include <gtest/gtest.h>

#include <chrono>
#include <lua.hpp>
#include <string>
#include <thread>

namespace {

[[maybe_unused]] void StopHook(lua_State* L, lua_Debug* /*ar*/) {
  luaL_error(L, "stopped by hook");
}

TEST(LuajitCheckhook, HookSetFromAnotherThreadStopsCompiledLoop) {
#ifndef ASOBI_LUAJIT_CHECKHOOK
  FAIL() << "linked LuaJIT is not the checkhook build; this loop would never stop";
#else
  lua_State* L = luaL_newstate();
  ASSERT_NE(L, nullptr);
  luaL_openlibs(L);  // includes jit: the compiler is on
  std::thread watchdog([L] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    lua_sethook(L, &StopHook, LUA_MASKCOUNT, 1);
  });
  const int rc = luaL_dostring(L, "local x = 0 while true do x = x + 1 end");
  watchdog.join();
  EXPECT_NE(rc, 0);
  EXPECT_NE(std::string(lua_tostring(L, -1)).find("stopped by hook"), std::string::npos);
  lua_close(L);
#endif
}

}  // namespace

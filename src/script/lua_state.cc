#include "script/lua_state.h"

#include <cstdio>
#include <lua.hpp>

#include "base/check.h"
#include "script/budget.h"
#include "script/lua_json.h"
#include "script/sandbox.h"

namespace asobi::script {
namespace {

// Every host entry point runs in protected mode; reaching the panic handler is a bug.
int Panic(lua_State* L) {
  const char* msg = lua_tostring(L, -1);
  std::fprintf(stderr, "lua panic: %s\n", msg != nullptr ? msg : "(non-string error)");
  ::asobi::CheckFailed("unprotected Lua error", __FILE__, __LINE__);
  return 0;
}

int InitState(lua_State* L) {
  OpenSandbox(L);
  RegisterBudgetSupport(L);
  RegisterLuaJsonSupport(L);
  return 0;
}

}  // namespace

LuaState::LuaState(const LuaStateOptions& options)
    : memory_(std::make_unique<LuaMemory>(options.memory)) {}

LuaState::~LuaState() {
  if (L_ != nullptr) lua_close(L_);
}

Result<std::unique_ptr<LuaState>> LuaState::Create(const LuaStateOptions& options) {
  std::unique_ptr<LuaState> state(new LuaState(options));
  state->L_ = lua_newstate(&LuaMemory::Alloc, state->memory_.get());
  if (state->L_ == nullptr) return MakeError("lua_state_failed", "lua_newstate failed");
  lua_atpanic(state->L_, &Panic);
  if (lua_cpcall(state->L_, &InitState, nullptr) != 0) {
    std::string msg = lua_isstring(state->L_, -1) ? lua_tostring(state->L_, -1) : "init failed";
    return MakeError("lua_state_failed", msg);
  }
  lua_settop(state->L_, 0);
  if (!options.jit) luaJIT_setmode(state->L_, 0, LUAJIT_MODE_ENGINE | LUAJIT_MODE_OFF);
  return state;
}

}  // namespace asobi::script

#include "game/world/runtime/lua_instance.h"

#include <lua.hpp>

#include "script/budget.h"
#include "script/callback_failures.h"
#include "script/game_api/game_api.h"
#include "script/protected_call.h"
#include "script/require.h"
#include "script/script_file.h"

namespace asobi::world {

Result<std::unique_ptr<LuaInstance>> LuaInstance::Create(
    const modes::ModeConfig& mode, script::game_api::ApiHost* host,
    const script::ModuleSourceRegistry* sources, int main_budget_ms, bool jit) {
  std::unique_ptr<LuaInstance> self(new LuaInstance());
  script::LuaStateOptions so;
  so.jit = jit;
  auto state = script::LuaState::Create(so);
  if (!state.ok()) return MakeError("script_failed", state.error().message);
  self->state_ = std::move(state.value());
  self->source_ = mode.source;
  self->chunk_name_ = mode.script_rel;
  self->files_.push_back(mode.script_abs);
  self->main_abs_ = mode.script_abs;
  if (!self->source_) return MakeError("script_failed", "mode has no source");
  Status result = Ok{};
  script::RequireConfig rc{mode.dir_abs, mode.dir_rel, sources};
  LuaInstance* raw = self.get();
  script::ProtectedStatus ps = script::RunProtected(raw->L(), [&](lua_State* s) {
    script::InstallRequire(s, rc, &raw->files_);
    script::game_api::InstallGameApi(s, host, {});
    Status loaded = script::LoadChunk(s, *raw->source_, raw->chunk_name_);
    if (!loaded.ok()) {
      result = MakeError("script_failed", loaded.error().message);
      return;
    }
    script::CallResult r = script::CallWithBudget(s, 0, 0, main_budget_ms);
    if (!r.ok()) result = MakeError("script_failed", raw->chunk_name_ + ": " + r.message);
  });
  if (!ps.ok) return MakeError("script_failed", ps.message);
  if (!result.ok()) return result.error();
  return self;
}

bool LuaInstance::Has(const char* name) const {
  bool f = false;
  script::RunProtected(state_->get(), [&](lua_State* s) {
    lua_pushstring(s, name);
    lua_rawget(s, LUA_GLOBALSINDEX);
    f = lua_isfunction(s, -1);
    lua_pop(s, 1);
  });
  return f;
}

std::string LuaInstance::Call(const char* name, int budget_ms, const PushArgs& push,
                              const TakeResults& take) {
  std::string failure;
  last_failure_ = Failure::kNone;
  script::ProtectedStatus ps = script::RunProtected(state_->get(), [&](lua_State* s) {
    const int base = lua_gettop(s);
    lua_pushstring(s, name);
    lua_rawget(s, LUA_GLOBALSINDEX);
    if (!lua_isfunction(s, -1)) {
      lua_settop(s, base);
      failure = "undefined";
      return;
    }
    const int nargs = push ? push(s) : 0;
    script::CallResult r = script::CallWithBudget(s, nargs, LUA_MULTRET, budget_ms);
    if (!r.ok()) {
      failure = r.message.empty() ? std::string(r.reason_class()) : r.message;
      last_failure_ = r.unrecoverable                            ? Failure::kUnrecoverable
                      : r.memory_exceeded                        ? Failure::kMemory
                      : r.status == script::CallStatus::kTimeout ? Failure::kTimeout
                                                                 : Failure::kError;
      lua_settop(s, base);
      return;
    }
    if (take) take(s, lua_gettop(s) - base);
    lua_settop(s, base);
  });
  if (!ps.ok) {
    last_failure_ = ps.out_of_memory ? Failure::kMemory : Failure::kUnrecoverable;
    script::NodeCallbackFailures().Record(script::ScriptKind::kWorld, name, false);
    return ps.message.empty() ? "lua_error" : ps.message;
  }
  if (last_failure_ != Failure::kNone) {
    script::NodeCallbackFailures().Record(script::ScriptKind::kWorld, name,
                                          last_failure_ == Failure::kTimeout);
  }
  return failure;
}

int LuaInstance::Ref(lua_State* L) { return luaL_ref(L, LUA_REGISTRYINDEX); }

void LuaInstance::ReplaceTableRef(lua_State* L, int index, int* ref) {
  if (!lua_istable(L, index)) return;
  lua_pushvalue(L, index);
  const int fresh = luaL_ref(L, LUA_REGISTRYINDEX);
  if (*ref >= 0) luaL_unref(L, LUA_REGISTRYINDEX, *ref);
  *ref = fresh;
}

}  // namespace asobi::world

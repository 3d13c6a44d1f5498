#include "game/bots/bot_brain.h"

#include <lua.hpp>

#include "script/budget.h"
#include "script/lua_json.h"
#include "script/protected_call.h"
#include "script/require.h"
#include "script/script_file.h"

namespace asobi::bots {
namespace {

constexpr size_t kBotStateBytesMax = size_t{64} << 20;  // lua.md §13 bots
constexpr size_t kInputBytesMax = 65536;                // a match.input frame's payload bound

}  // namespace

Result<std::unique_ptr<BotBrain>> BotBrain::Create(const BotModeConfig& config,
                                                   script::LuaNodeMemory* node_memory,
                                                   const script::ModuleSourceRegistry* sources,
                                                   bool jit) {
  if (!config.source) return MakeError("no_script", "mode has no bot script");
  script::LuaStateOptions opts;
  opts.memory.max_bytes = kBotStateBytesMax;
  opts.memory.node = node_memory;
  opts.jit = jit;
  auto state = script::LuaState::Create(opts);
  if (!state.ok()) return state.error();
  std::string error;
  script::RequireConfig rc{config.dir_abs, config.dir_rel, sources};
  script::ProtectedStatus ps = script::RunProtected((*state)->get(), [&](lua_State* L) {
    script::InstallRequire(L, rc, nullptr);
    Status loaded = script::LoadChunk(L, *config.source, config.script_rel);
    if (!loaded.ok()) {
      error = loaded.error().message;
      return;
    }
    script::CallResult r = script::CallWithBudget(L, 0, 0, kBotTopLevelBudgetMs);
    if (!r.ok()) error = r.message.empty() ? r.reason_class() : r.message;
  });
  if (!ps.ok) error = ps.message;
  if (!error.empty()) return MakeError("script_failed", error);
  return std::unique_ptr<BotBrain>(new BotBrain(std::move(state.value())));
}

Result<std::string> BotBrain::Think(const std::string& bot_id, JsonValue view) {
  std::string reason, message, out;
  lua_State* L = state_->get();
  script::ProtectedStatus ps = script::RunProtected(L, [&](lua_State* s) {
    lua_pushstring(s, "think");
    lua_rawget(s, LUA_GLOBALSINDEX);
    if (lua_type(s, -1) != LUA_TFUNCTION) {
      reason = "missing_think";
      return;
    }
    lua_pushlstring(s, bot_id.data(), bot_id.size());
    if (!script::PushJsonElement(s, view).ok()) {
      reason = "bad_view";
      return;
    }
    script::CallResult r = script::CallWithBudget(s, 2, 1, kThinkBudgetMs);
    if (!r.ok()) {
      reason = r.reason_class();
      message = r.message;
      return;
    }
    if (lua_type(s, -1) == LUA_TTABLE) {
      script::LuaToJsonOptions o;
      o.shape = script::JsonShape::kObject;
      o.max_bytes = kInputBytesMax;
      if (!script::EncodeLuaToJson(s, -1, &out, o).ok()) out.clear();
    }
    if (out.empty()) out = "{}";
  });
  if (!ps.ok) return MakeError("runtime_error", ps.message);
  if (!reason.empty()) return MakeError(reason, message);
  gc_.Step(L);
  return out;
}

}  // namespace asobi::bots

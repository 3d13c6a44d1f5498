#include "game/rpc/rpc_runtime.h"

#include <lua.hpp>
#include <utility>

#include "base/log.h"
#include "game/rpc/rpc_names.h"
#include "script/budget.h"
#include "script/lua_json.h"
#include "script/protected_call.h"
#include "script/require.h"
#include "script/script_file.h"

namespace asobi::rpc {
namespace {

char kPendingKey;    // registry: light userdata -> the method map being loaded
char kErrorMetaKey;  // registry: the metatable that tags rpc.error values

using MethodMap = std::map<std::string, RpcRuntime::Method, std::less<>>;

MethodMap* Pending(lua_State* L) {
  lua_pushlightuserdata(L, &kPendingKey);
  lua_rawget(L, LUA_REGISTRYINDEX);
  auto* map = static_cast<MethodMap*>(lua_touserdata(L, -1));
  lua_pop(L, 1);
  return map;
}

// Reads options.errors (code -> status, or a list of codes meaning 400) into `m`.
void ReadErrors(lua_State* L, int options, std::string_view ns, RpcRuntime::Method* m) {
  lua_getfield(L, options, "errors");
  if (lua_isnil(L, -1)) return lua_pop(L, 1);
  luaL_argcheck(L, lua_istable(L, -1), 3, "errors must be a table");
  const int errors = lua_gettop(L);
  lua_pushnil(L);
  while (lua_next(L, errors) != 0) {
    bool listed = lua_type(L, -2) == LUA_TNUMBER && lua_type(L, -1) == LUA_TSTRING;
    const char* code = listed ? lua_tostring(L, -1)
                              : (lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : nullptr);
    if (code == nullptr || !IsErrorCodeOf(code, ns)) {
      luaL_error(L, "rpc.register: error codes must be strings '%s.<name>'",
                 std::string(ns).c_str());
    }
    int status = 400;
    if (!listed) {
      if (lua_type(L, -1) != LUA_TNUMBER) luaL_error(L, "rpc.register: status must be a number");
      status = int(lua_tointeger(L, -1));
      if (status < 400 || status > 499) luaL_error(L, "rpc.register: status must be 400-499");
    }
    m->errors[code] = status;
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
}

// rpc.register(name, handler [, {errors = {...}}])
int LuaRegister(lua_State* L) {
  MethodMap* map = Pending(L);
  if (map == nullptr) return luaL_error(L, "rpc.register: only while the script loads");
  const char* name = luaL_checkstring(L, 1);
  luaL_checktype(L, 2, LUA_TFUNCTION);
  if (!IsMethodName(name)) {
    return luaL_error(L, "rpc.register: '%s' is not '<namespace>.<name>' (asobi.* is reserved)",
                      name);
  }
  if (map->count(name) != 0) return luaL_error(L, "rpc.register: '%s' registered twice", name);
  RpcRuntime::Method m;
  if (!lua_isnoneornil(L, 3)) {
    luaL_checktype(L, 3, LUA_TTABLE);
    ReadErrors(L, 3, NamespaceOf(name), &m);
  }
  lua_pushvalue(L, 2);
  m.ref = luaL_ref(L, LUA_REGISTRYINDEX);
  (*map)[name] = std::move(m);
  return 0;
}

// rpc.error(code [, message [, details]]) -> a tagged table the handler returns.
int LuaError(lua_State* L) {
  luaL_checkstring(L, 1);
  if (!lua_isnoneornil(L, 2)) luaL_checkstring(L, 2);
  if (!lua_isnoneornil(L, 3)) luaL_checktype(L, 3, LUA_TTABLE);
  lua_createtable(L, 0, 3);
  lua_pushvalue(L, 1);
  lua_setfield(L, -2, "code");
  lua_pushvalue(L, 2);
  lua_setfield(L, -2, "message");
  lua_pushvalue(L, 3);
  lua_setfield(L, -2, "details");
  lua_pushlightuserdata(L, &kErrorMetaKey);
  lua_rawget(L, LUA_REGISTRYINDEX);
  lua_setmetatable(L, -2);
  return 1;
}

void InstallRpcTable(lua_State* L, void*) {
  lua_pushlightuserdata(L, &kErrorMetaKey);
  lua_newtable(L);
  lua_rawset(L, LUA_REGISTRYINDEX);
  lua_newtable(L);
  lua_pushcfunction(L, &LuaRegister);
  lua_setfield(L, -2, "register");
  lua_pushcfunction(L, &LuaError);
  lua_setfield(L, -2, "error");
  lua_setglobal(L, "rpc");
}

bool IsTaggedError(lua_State* L, int index) {
  if (!lua_istable(L, index) || !lua_getmetatable(L, index)) return false;
  lua_pushlightuserdata(L, &kErrorMetaKey);
  lua_rawget(L, LUA_REGISTRYINDEX);
  bool same = lua_rawequal(L, -1, -2) != 0;
  lua_pop(L, 2);
  return same;
}

struct CallCtx {
  const RpcRuntime::Method* method;
  const std::string* player_id;
  JsonValue params;
  std::string_view name;
  RpcOutcome* out;
  bool unrecoverable = false;
  std::string log;
};

bool EncodeObject(lua_State* L, int index, std::string* out) {
  script::LuaToJsonOptions o;
  o.max_bytes = kResultBytesMax;
  if (!script::EncodeLuaToJson(L, index, out, o).ok()) return false;
  if (*out == "[]") *out = "{}";
  return !out->empty() && (*out)[0] == '{';
}

// Reads the handler's return values (at -2, -1) into the outcome.
void ReadResult(lua_State* L, CallCtx* c) {
  RpcOutcome& out = *c->out;
  if (IsTaggedError(L, -2)) {
    lua_getfield(L, -2, "code");
    const char* code_text = lua_tostring(L, -1);
    std::string code = code_text != nullptr ? code_text : "";
    lua_pop(L, 1);
    auto it = c->method->errors.find(code);
    if (it == c->method->errors.end()) {
      c->log = "undeclared error code " + code;
      return;
    }
    lua_getfield(L, -2, "message");
    if (lua_type(L, -1) == LUA_TSTRING) out.message = lua_tostring(L, -1);
    lua_getfield(L, -3, "details");
    out.details_json.clear();
    if (lua_isnil(L, -1)) {
      out.details_json = "{}";
    } else if (!EncodeObject(L, -1, &out.details_json)) {
      c->log = "details do not encode as a JSON object";
      return;
    }
    lua_pop(L, 2);
    out.code = std::move(code);
    out.status = it->second;
    out.kind = RpcOutcome::Kind::kError;
    return;
  }
  if (!lua_istable(L, -2) || !EncodeObject(L, -2, &out.result_json)) {
    c->log = "the handler must return a table that encodes as a JSON object";
    return;
  }
  out.kind = RpcOutcome::Kind::kOk;
  out.status = 200;
}

void RunCall(lua_State* L, void* p) {
  auto* c = static_cast<CallCtx*>(p);
  lua_rawgeti(L, LUA_REGISTRYINDEX, c->method->ref);
  lua_pushlstring(L, c->player_id->data(), c->player_id->size());
  if (!script::PushJsonElement(L, c->params).ok()) {
    c->log = "params do not convert to Lua";
    return;
  }
  script::MarkTableAsObject(L, -1);  // `params` echoed back stays an object when empty
  script::CallResult r = script::CallWithBudget(L, 2, 2, kHandlerBudgetMs);
  if (!r.ok()) {
    c->unrecoverable = r.unrecoverable;
    c->log = std::string(r.reason_class()) + ": " + r.message;
    return;
  }
  ReadResult(L, c);
}

}  // namespace

bool RpcRuntime::Load(std::string_view source, const std::string& chunk_name) {
  Result<std::unique_ptr<script::LuaState>> made = script::LuaState::Create();
  if (!made.ok()) {
    LOG_ERROR("rpc: cannot create a Lua state").KV("script", chunk_name);
    return false;
  }
  std::unique_ptr<script::LuaState> state = std::move(made.value());
  lua_State* L = state->get();
  MethodMap methods;
  std::string error;
  auto required = std::make_unique<std::vector<std::string>>();
  size_t slash = chunk_name.rfind('/');
  script::RequireConfig rc;
  rc.chunk_prefix = slash == std::string::npos ? "" : chunk_name.substr(0, slash + 1);
  rc.base_dir = keep_ != nullptr ? keep_->root() + "/" + rc.chunk_prefix : std::string();
  if (!rc.base_dir.empty() && rc.base_dir.back() == '/') rc.base_dir.pop_back();
  rc.sources = modules_;
  script::ProtectedStatus st = script::RunProtected(L, [&](lua_State* s) {
    InstallRpcTable(s, nullptr);
    script::InstallRequire(s, rc, required.get());
    lua_pushlightuserdata(s, &kPendingKey);
    lua_pushlightuserdata(s, &methods);
    lua_rawset(s, LUA_REGISTRYINDEX);
    Status loaded = script::LoadChunk(s, source, chunk_name);
    if (!loaded.ok()) {
      error = loaded.error().message.empty() ? loaded.error().reason : loaded.error().message;
      return;
    }
    script::CallResult r = script::CallWithBudget(s, 0, 0, kHandlerBudgetMs);
    if (!r.ok()) error = r.message;
    lua_pushlightuserdata(s, &kPendingKey);
    lua_pushnil(s);
    lua_rawset(s, LUA_REGISTRYINDEX);
  });
  if (!st.ok && error.empty()) error = st.message;
  if (!error.empty()) {
    LOG_ERROR("rpc: script failed to load; keeping the previous methods")
        .KV("script", chunk_name)
        .KV("error", error);
    return false;
  }
  state_ = std::move(state);  // before `required`: the state's require points into it
  required_ = std::move(required);
  methods_ = std::move(methods);
  LOG_INFO("rpc: script loaded").KV("script", chunk_name).KV("methods", int64_t(methods_.size()));
  return true;
}

void RpcRuntime::Sync(const std::shared_ptr<const script::ModuleSources>& sources,
                      const std::string& script_rel) {
  if (sources.get() == loaded_sources_ && script_rel == loaded_rel_) return;
  const bool modules_changed = sources != nullptr && ModulesChanged(*sources);
  loaded_sources_ = sources.get();
  loaded_rel_ = script_rel;
  keep_ = sources;
  if (script_rel.empty()) {
    loaded_text_.reset();
    methods_.clear();
    state_.reset();
    return;
  }
  std::shared_ptr<const std::string> text;
  if (sources != nullptr && IsRelativeScriptPath(script_rel)) {
    text = sources->Text(sources->root() + "/" + script_rel);
  }
  if (text == nullptr) {
    LOG_ERROR("rpc: script not found in the game directory").KV("script", script_rel);
    return;
  }
  // A new snapshot shares the buffers of unchanged files: saving another file keeps the state.
  if (text == loaded_text_ && state_ != nullptr && !modules_changed) return;
  if (Load(*text, script_rel)) loaded_text_ = text;
}

bool RpcRuntime::ModulesChanged(const script::ModuleSources& next) const {
  if (required_ == nullptr || keep_ == nullptr) return false;
  for (const std::string& path : *required_) {
    if (next.Text(path) != keep_->Text(path)) return true;
  }
  return false;
}

RpcOutcome RpcRuntime::Call(std::string_view method, const std::string& player_id,
                            JsonValue params) {
  RpcOutcome out;
  auto it = methods_.find(method);
  if (it == methods_.end() || state_ == nullptr) {
    out.kind = RpcOutcome::Kind::kUnknownMethod;
    out.status = 404;
    return out;
  }
  CallCtx ctx{&it->second, &player_id, params, method, &out, false, {}};
  lua_State* L = state_->get();
  script::ProtectedStatus st = script::RunProtectedRaw(L, &RunCall, &ctx);
  if (!st.ok && ctx.log.empty()) ctx.log = st.message;
  if (out.kind != RpcOutcome::Kind::kOk && out.kind != RpcOutcome::Kind::kError) {
    out = RpcOutcome{};
    LOG_WARN("rpc: handler failed").KV("method", method).KV("error", ctx.log);
  }
  if (ctx.unrecoverable || st.out_of_memory) {
    methods_.clear();
    state_.reset();
    loaded_sources_ = nullptr;  // reloaded by the next Sync
    loaded_text_.reset();
  }
  return out;
}

}  // namespace asobi::rpc

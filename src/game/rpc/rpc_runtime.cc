#include "game/rpc/rpc_runtime.h"

#include <lua.hpp>
#include <tuple>
#include <utility>

#include "base/log.h"
#include "game/rpc/rpc_names.h"
#include "reactor/shard.h"
#include "script/budget.h"
#include "script/game_api/game_api.h"
#include "script/lua_json.h"
#include "script/protected_call.h"
#include "script/require.h"
#include "script/resume.h"
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
    lua_getfield(L, 3, "class");
    if (!lua_isnil(L, -1)) {
      luaL_argcheck(L, lua_type(L, -1) == LUA_TSTRING, 3, "class must be a string");
      m.klass = lua_tostring(L, -1);
    }
    lua_pop(L, 1);
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
  RpcOutcome* out;
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

// Finished coroutines kept per state for reuse (creating one per call costs ~0.4 µs).
constexpr size_t kIdleCoroutinesMax = 16;

int PushTimeout(lua_State* L) {
  lua_createtable(L, 0, 1);
  lua_pushliteral(L, "timeout");
  lua_setfield(L, -2, "error");
  return 1;
}

}  // namespace

bool RpcRuntime::Load(std::string_view source, const std::string& chunk_name) {
  Result<std::unique_ptr<script::LuaState>> made = script::LuaState::Create();
  if (!made.ok()) {
    LOG_ERROR("rpc: cannot create a Lua state").KV("script", chunk_name);
    return false;
  }
  auto gen = std::make_shared<Generation>();
  gen->state = std::move(made.value());
  lua_State* L = gen->state->get();
  MethodMap& methods = gen->methods;
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
    script::game_api::InstallGameApi(s, &host_);
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
  gen->required = std::move(required);
  gen_ = std::move(gen);
  host_.set_script_name(chunk_name);
  LOG_INFO("rpc: script loaded")
      .KV("script", chunk_name)
      .KV("methods", int64_t(gen_->methods.size()));
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
    gen_.reset();
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
  if (text == loaded_text_ && gen_ != nullptr && !modules_changed) return;
  if (Load(*text, script_rel)) loaded_text_ = text;
}

bool RpcRuntime::ModulesChanged(const script::ModuleSources& next) const {
  if (gen_ == nullptr || gen_->required == nullptr || keep_ == nullptr) return false;
  for (const std::string& path : *gen_->required) {
    if (next.Text(path) != keep_->Text(path)) return true;
  }
  return false;
}

struct RpcRuntime::PendingCall {
  uint64_t id = 0;  // 0 until it first suspends
  std::shared_ptr<Generation> gen;
  const Method* method = nullptr;
  std::string name;
  lua_State* co = nullptr;
  int co_ref = LUA_NOREF;
  int64_t budget_left_ns = int64_t{kHandlerBudgetMs} * 1'000'000;
  uint64_t token = 0;          // bumped per suspension: a stale reply is dropped
  bool reusable = false;       // the handler returned: its coroutine can run the next call
  Reactor::TimerId timer = 0;  // the kAsyncTimeoutMs timer while suspended
  RpcDone done;
};

RpcRuntime::RpcRuntime(const script::ModuleSourceRegistry* modules, RpcHost::Hooks hooks)
    : host_(std::move(hooks)), self_(std::make_shared<RpcRuntime*>(this)), modules_(modules) {}

RpcRuntime::~RpcRuntime() {
  self_.reset();
  Shard* shard = Shard::Current();
  for (auto& [id, call] : calls_) {
    if (call->timer != 0 && shard != nullptr) shard->reactor().CancelTimer(call->timer);
  }
  calls_.clear();
  gen_.reset();
}

const RpcRuntime::Method* RpcRuntime::FindMethod(std::string_view name) const {
  if (gen_ == nullptr) return nullptr;
  auto it = gen_->methods.find(name);
  return it == gen_->methods.end() ? nullptr : &it->second;
}

void RpcRuntime::Call(std::string_view method, const std::string& player_id, JsonValue params,
                      RpcDone done) {
  auto it = gen_ != nullptr ? gen_->methods.find(method) : MethodMap::iterator();
  if (gen_ == nullptr || it == gen_->methods.end()) {
    RpcOutcome out;
    out.kind = RpcOutcome::Kind::kUnknownMethod;
    out.status = 404;
    return done(std::move(out));
  }
  auto call = std::make_shared<PendingCall>();
  call->gen = gen_;
  call->method = &it->second;
  call->name = std::string(method);
  call->done = std::move(done);
  std::string log;
  script::ProtectedStatus st = script::RunProtected(gen_->state->get(), [&](lua_State* s) {
    if (!call->gen->idle.empty()) {
      std::tie(call->co_ref, call->co) = call->gen->idle.back();
      call->gen->idle.pop_back();
    } else {
      call->co = lua_newthread(s);
      call->co_ref = luaL_ref(s, LUA_REGISTRYINDEX);
    }
    lua_rawgeti(s, LUA_REGISTRYINDEX, call->method->ref);
    lua_pushlstring(s, player_id.data(), player_id.size());
    if (!script::PushJsonElement(s, params).ok()) {
      log = "params do not convert to Lua";
      return;
    }
    script::MarkTableAsObject(s, -1);  // `params` echoed back stays an object when empty
    lua_xmove(s, call->co, 3);
  });
  if (!st.ok || !log.empty()) {
    return Finish(call, RpcOutcome{}, st.out_of_memory, log.empty() ? st.message : log);
  }
  Step(call, 2);
}

void RpcRuntime::Step(const std::shared_ptr<PendingCall>& call, int nargs) {
  lua_State* L = call->gen->state->get();
  script::ResumeResult r;
  RpcOutcome out;
  CallCtx ctx{call->method, &out, {}};
  host_.Enter(call->co);
  script::ProtectedStatus st = script::RunProtected(L, [&](lua_State* s) {
    r = script::ResumeWithBudget(s, call->co, nargs, call->budget_left_ns);
    if (!r.done()) return;
    lua_settop(call->co, r.nresults < 2 ? r.nresults : 2);
    lua_settop(call->co, 2);  // pads a missing result with nil
    lua_xmove(call->co, s, 2);
    ReadResult(s, &ctx);
  });
  script::game_api::AsyncStart start = host_.Leave();
  call->budget_left_ns -= r.elapsed_ns;
  if (!st.ok) {
    script::NodeCallbackFailures().Record(failure_kind_, "", false);
    return Finish(call, RpcOutcome{}, st.out_of_memory, st.message);
  }
  if (r.status == script::ResumeStatus::kYielded) return Suspend(call, std::move(start));
  if (r.failed()) {
    script::NodeCallbackFailures().Record(failure_kind_, "",
                                          std::string_view(r.reason_class()) == "timeout");
    return Finish(call, RpcOutcome{}, r.unrecoverable,
                  std::string(r.reason_class()) + ": " + r.message);
  }
  call->reusable = st.ok && r.done();
  Finish(call, std::move(out), false, ctx.log);
}

void RpcRuntime::Suspend(const std::shared_ptr<PendingCall>& call,
                         script::game_api::AsyncStart start) {
  Shard* shard = Shard::Current();
  if (shard == nullptr) return Finish(call, RpcOutcome{}, false, "suspended off a shard thread");
  if (call->id == 0) {
    call->id = ++next_call_id_;
    calls_[call->id] = call;
  }
  const uint64_t id = call->id;
  const uint64_t token = ++call->token;
  std::weak_ptr<RpcRuntime*> weak = self_;
  call->timer = shard->reactor().AddTimer(kAsyncTimeoutMs, [weak, id, token] {
    std::shared_ptr<RpcRuntime*> rt = weak.lock();
    if (rt == nullptr || *rt == nullptr) return;
    auto it = (*rt)->calls_.find(id);
    if (it != (*rt)->calls_.end() && it->second->token == token) it->second->timer = 0;
    (*rt)->OnReply(id, token, &PushTimeout);
  });
  auto deliver = [weak, id, token](script::game_api::AsyncReply reply) {
    Shard* here = Shard::Current();
    if (here == nullptr) return;
    // Always on a later turn, so a reply delivered from inside `start` cannot re-enter.
    here->reactor().AddTimer(0, [weak, id, token, reply = std::move(reply)] {
      std::shared_ptr<RpcRuntime*> rt = weak.lock();
      if (rt != nullptr && *rt != nullptr) (*rt)->OnReply(id, token, reply);
    });
  };
  if (!start) return deliver(nullptr);  // yielded without an operation: resume at once
  start(std::move(deliver));
}

void RpcRuntime::OnReply(uint64_t id, uint64_t token, const script::game_api::AsyncReply& reply) {
  auto it = calls_.find(id);
  if (it == calls_.end() || it->second->token != token) return;  // late or duplicate
  std::shared_ptr<PendingCall> call = it->second;
  ++call->token;
  if (call->timer != 0) {
    if (Shard* shard = Shard::Current()) shard->reactor().CancelTimer(call->timer);
    call->timer = 0;
  }
  int nargs = 0;
  script::ProtectedStatus st = script::RunProtected(call->gen->state->get(), [&](lua_State* s) {
    const int base = lua_gettop(s);
    const int n = reply ? reply(s) : 0;
    const int pushed = lua_gettop(s) - base;
    lua_xmove(s, call->co, pushed);
    nargs = n < pushed ? n : pushed;
  });
  if (!st.ok) return Finish(call, RpcOutcome{}, st.out_of_memory, st.message);
  Step(call, nargs);
}

void RpcRuntime::Finish(const std::shared_ptr<PendingCall>& call, RpcOutcome out, bool broken,
                        const std::string& log) {
  if (call->co_ref != LUA_NOREF) {
    if (call->reusable && call->gen->idle.size() < kIdleCoroutinesMax) {
      call->gen->idle.emplace_back(call->co_ref, call->co);
    } else {
      luaL_unref(call->gen->state->get(), LUA_REGISTRYINDEX, call->co_ref);
    }
    call->co_ref = LUA_NOREF;
  }
  if (call->id != 0) calls_.erase(call->id);
  if (out.kind != RpcOutcome::Kind::kOk && out.kind != RpcOutcome::Kind::kError) {
    out = RpcOutcome{};
    LOG_WARN("rpc: handler failed").KV("method", call->name).KV("error", log);
  }
  if (broken && gen_ == call->gen) {
    gen_.reset();
    loaded_sources_ = nullptr;  // reloaded by the next Sync
    loaded_text_.reset();
  }
  RpcDone done = std::move(call->done);
  call->gen.reset();
  done(std::move(out));
}

}  // namespace asobi::rpc

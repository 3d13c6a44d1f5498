#include "game/match/match_script.h"

#include <iterator>
#include <lua.hpp>

#include "base/clock.h"
#include "game/match/phase_entries.h"
#include "script/budget.h"
#include "script/game_api/game_api.h"
#include "script/hot_reload.h"
#include "script/lua_json.h"
#include "script/protected_call.h"
#include "script/require.h"
#include "script/script_file.h"

namespace asobi::match {
namespace {

thread_local simdjson::dom::parser t_parser;

// A state that cannot get this much back after a full collection is out of memory for good.
constexpr size_t kHealthyHeadroomBytes = 256 * 1024;

const char* FunctionName(MatchScript::Kind k) {
  switch (k) {
    case MatchScript::Kind::kJoin:
      return "join";
    case MatchScript::Kind::kLeave:
      return "leave";
    case MatchScript::Kind::kInput:
      return "handle_input";
    case MatchScript::Kind::kTick:
      return "tick";
    case MatchScript::Kind::kPhaseStarted:
      return "on_phase_started";
    case MatchScript::Kind::kPhaseEnded:
      return "on_phase_ended";
    case MatchScript::Kind::kVoteResolved:
      return "vote_resolved";
  }
  return "tick";
}

bool OptionalKind(MatchScript::Kind k) {
  return k == MatchScript::Kind::kPhaseStarted || k == MatchScript::Kind::kPhaseEnded ||
         k == MatchScript::Kind::kVoteResolved;
}

// The strings behind MatchScript::Name, in its order.
constexpr const char* kInternedNames[] = {
    "join",          "leave",         "handle_input",     "tick",
    "get_state",     "_finished",     "on_phase_started", "on_phase_ended",
    "vote_resolved", "vote_requested"};

int BudgetMs(MatchScript::Kind k) {
  switch (k) {
    case MatchScript::Kind::kJoin:
      return kJoinBudgetMs;
    case MatchScript::Kind::kLeave:
      return kLeaveBudgetMs;
    case MatchScript::Kind::kInput:
      return kInputBudgetMs;
    case MatchScript::Kind::kTick:
      return kTickBudgetMs;
    case MatchScript::Kind::kPhaseStarted:
    case MatchScript::Kind::kPhaseEnded:
      return kPhaseCallbackBudgetMs;
    case MatchScript::Kind::kVoteResolved:
      return kVoteCallbackBudgetMs;
  }
  return kTickBudgetMs;
}

// A refusal reason is kept only when it is 1-64 bytes of printable ASCII (§4).
bool ValidRefusalReason(const char* s, size_t len) {
  if (len == 0 || len > 64) return false;
  for (size_t i = 0; i < len; ++i) {
    if (s[i] < 0x20 || s[i] > 0x7E) return false;
  }
  return true;
}

void RawGetGlobal(lua_State* L, const char* name) {
  lua_pushstring(L, name);
  lua_rawget(L, LUA_GLOBALSINDEX);
}

void Failure(MatchScript::Outcome* out, std::string reason_class, std::string message) {
  out->ok = false;
  out->reason_class = std::move(reason_class);
  out->message = std::move(message);
}

}  // namespace

MatchScript::~MatchScript() = default;

void MatchScript::PushName(lua_State* L, Name name) const {
  lua_rawgeti(L, LUA_REGISTRYINDEX, name_refs_[name]);
}

void MatchScript::PushGlobal(lua_State* L, Name name) const {
  PushName(L, name);
  lua_rawget(L, LUA_GLOBALSINDEX);
}

void MatchScript::PushPlayerId(lua_State* L, std::string_view player_id) const {
  for (const auto& [id, ref] : player_refs_) {
    if (id == player_id) {
      lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
      return;
    }
  }
  lua_pushlstring(L, player_id.data(), player_id.size());
}

void MatchScript::RememberPlayer(const std::string& player_id) {
  if (player_refs_.size() >= kInternedPlayersMax) return;
  for (const auto& entry : player_refs_) {
    if (entry.first == player_id) return;
  }
  int ref = LUA_NOREF;
  script::RunProtected(state_->get(), [&](lua_State* s) {
    lua_pushlstring(s, player_id.data(), player_id.size());
    ref = luaL_ref(s, LUA_REGISTRYINDEX);
  });
  if (ref >= 0) player_refs_.emplace_back(player_id, ref);  // else out of memory: not kept
}

void MatchScript::ForgetPlayer(const std::string& player_id) {
  for (size_t i = 0; i < player_refs_.size(); ++i) {
    if (player_refs_[i].first != player_id) continue;
    const int ref = player_refs_[i].second;
    script::RunProtected(state_->get(),
                         [ref](lua_State* s) { luaL_unref(s, LUA_REGISTRYINDEX, ref); });
    player_refs_.erase(player_refs_.begin() + long(i));
    return;
  }
}

MatchScript::Name MatchScript::CallbackName(Kind k) {
  switch (k) {
    case Kind::kJoin:
      return kNameJoin;
    case Kind::kLeave:
      return kNameLeave;
    case Kind::kInput:
      return kNameInput;
    case Kind::kTick:
      return kNameTick;
    case Kind::kPhaseStarted:
      return kNamePhaseStarted;
    case Kind::kPhaseEnded:
      return kNamePhaseEnded;
    case Kind::kVoteResolved:
      return kNameVoteResolved;
  }
  return kNameTick;
}

Result<std::unique_ptr<MatchScript>> MatchScript::Create(const modes::ModeConfig& mode,
                                                         script::game_api::ApiHost* host,
                                                         const Options& options) {
  std::unique_ptr<MatchScript> self(new MatchScript());
  script::LuaStateOptions so;
  so.memory = options.memory;
  so.jit = options.jit;
  auto state = script::LuaState::Create(so);
  if (!state.ok()) return MakeError("script_failed", state.error().message);
  self->state_ = std::move(state.value());
  self->source_ = mode.source;
  self->chunk_name_ = mode.script_rel;
  self->main_abs_ = mode.script_abs;
  self->files_.push_back(mode.script_abs);
  lua_State* L = self->state_->get();
  script::GcPacer::Configure(L);  // see StepGc
  Status result = Ok{};
  script::RequireConfig rc{mode.dir_abs, mode.dir_rel, options.sources};
  script::game_api::InstallOptions api;
  api.test_functions = options.test_api;
  api.storage = options.storage;
  MatchScript* raw = self.get();
  script::ProtectedStatus ps = script::RunProtected(L, [&](lua_State* s) {
    static_assert(std::size(kInternedNames) == kNameCount);
    for (int i = 0; i < kNameCount; ++i) {
      lua_pushstring(s, kInternedNames[i]);
      raw->name_refs_[i] = luaL_ref(s, LUA_REGISTRYINDEX);
    }
    script::InstallRequire(s, rc, &raw->files_);
    script::game_api::InstallGameApi(s, host, api);
    Status loaded = script::LoadChunk(s, *raw->source_, raw->chunk_name_);
    if (!loaded.ok()) {
      result = MakeError("script_failed", loaded.error().message);
      return;
    }
    script::CallResult r = script::CallWithBudget(s, 0, 0, kMainChunkBudgetMs);
    if (!r.ok()) result = MakeError("script_failed", raw->chunk_name_ + ": " + r.message);
  });
  if (!ps.ok) return MakeError("script_failed", ps.message);
  if (!result.ok()) return result.error();
  return self;
}

Status MatchScript::Init(const std::string& match_id, const std::string& mode) {
  lua_State* L = state_->get();
  Status result = Ok{};
  script::ProtectedStatus ps = script::RunProtected(L, [&](lua_State* s) {
    RawGetGlobal(s, "init");
    if (!lua_isfunction(s, -1)) {
      result = MakeError("script_failed", chunk_name_ + ": init is not defined");
      return;
    }
    lua_createtable(s, 0, 2);
    lua_pushlstring(s, match_id.data(), match_id.size());
    lua_setfield(s, -2, "match_id");
    lua_pushlstring(s, mode.data(), mode.size());
    lua_setfield(s, -2, "mode");
    lua_pushvalue(s, -1);
    config_ref_ = luaL_ref(s, LUA_REGISTRYINDEX);
    script::CallResult r = script::CallWithBudget(s, 1, 1, kInitBudgetMs);
    if (!r.ok()) {
      result = MakeError("script_failed", "init: " + r.message);
      return;
    }
    if (!lua_istable(s, -1)) {
      result = MakeError("script_failed", "init did not return a table");
      return;
    }
    state_ref_ = luaL_ref(s, LUA_REGISTRYINDEX);
    RawGetGlobal(s, "vote_requested");
    has_vote_requested_ = lua_isfunction(s, -1);
    lua_pop(s, 1);
  });
  if (!ps.ok) return MakeError("script_failed", "init: " + ps.message);
  return result;
}

void MatchScript::DropCoroutine(lua_State* L) {
  if (co_ref_ >= 0) luaL_unref(L, LUA_REGISTRYINDEX, co_ref_);
  co_ref_ = LUA_NOREF;
  co_ = nullptr;
  suspended_ = false;
}

bool MatchScript::Start(const Call& call, Outcome* out) {
  *out = Outcome{};
  lua_State* L = state_->get();
  bool done = true;
  kind_ = call.kind;
  budget_left_ns_ = int64_t{BudgetMs(call.kind)} * 1'000'000;
  script::ProtectedStatus ps = script::RunProtected(L, [&](lua_State* s) {
    if (co_ == nullptr) {
      co_ = lua_newthread(s);
      co_ref_ = luaL_ref(s, LUA_REGISTRYINDEX);
    }
    const int base = lua_gettop(s);
    PushGlobal(s, CallbackName(call.kind));
    if (!lua_isfunction(s, -1)) {
      lua_settop(s, base);
      if (OptionalKind(call.kind)) {
        out->ok = true;  // optional callback not defined: nothing to run
        return;
      }
      Failure(out, "runtime_error", std::string(FunctionName(call.kind)) + " is not defined");
      return;
    }
    if (call.kind != Kind::kTick) PushPlayerId(s, call.player_id);
    if (call.kind == Kind::kVoteResolved) {
      Status st = script::PushJsonText(s, t_parser, call.json);
      if (!st.ok()) lua_newtable(s);
    }
    if (call.kind == Kind::kInput) {
      Status st = script::PushJsonText(s, t_parser, call.json);
      if (!st.ok()) {
        Failure(out, "runtime_error", "input rejected: " + st.error().reason);
        return;
      }
    }
    lua_rawgeti(s, LUA_REGISTRYINDEX, state_ref_);
    if (call.kind == Kind::kJoin) {
      Status st = script::PushJsonText(s, t_parser, call.json.empty() ? "{}" : call.json);
      if (!st.ok()) lua_newtable(s);
    }
    const int nargs = lua_gettop(s) - base - 1;
    lua_xmove(s, co_, nargs + 1);
    done = RunSegment(s, nargs, out);
  });
  if (!ps.ok) {
    DropCoroutine(L);
    Failure(out, "runtime_error", ps.message);
    out->memory_exceeded = ps.out_of_memory;
    return true;
  }
  return done;
}

bool MatchScript::Resume(const script::game_api::AsyncReply& reply, Outcome* out) {
  *out = Outcome{};
  lua_State* L = state_->get();
  bool done = true;
  if (!suspended_ || co_ == nullptr) {
    Failure(out, "runtime_error", "no suspended callback");
    return true;
  }
  suspended_ = false;
  script::ProtectedStatus ps = script::RunProtected(L, [&](lua_State* s) {
    const int base = lua_gettop(s);
    const int n = reply ? reply(s) : 0;
    const int pushed = lua_gettop(s) - base;
    lua_xmove(s, co_, pushed);
    done = RunSegment(s, n < pushed ? n : pushed, out);
  });
  if (!ps.ok) {
    DropCoroutine(L);
    Failure(out, "runtime_error", ps.message);
    out->memory_exceeded = ps.out_of_memory;
    return true;
  }
  return done;
}

bool MatchScript::RunSegment(lua_State* L, int nargs, Outcome* out) {
  script::ResumeResult r = script::ResumeWithBudget(L, co_, nargs, budget_left_ns_);
  budget_left_ns_ -= r.elapsed_ns;
  out->elapsed_us = (int64_t{BudgetMs(kind_)} * 1'000'000 - budget_left_ns_) / 1000;
  if (r.status == script::ResumeStatus::kYielded) {
    suspended_ = true;
    return false;
  }
  if (r.failed()) {
    DropCoroutine(L);
    Failure(out, r.reason_class(), r.message);
    out->memory_exceeded = r.memory_exceeded;
    out->unrecoverable = r.unrecoverable;
    return true;
  }
  TakeResults(L, r.nresults, out);
  lua_settop(co_, 0);
  return true;
}

void MatchScript::TakeResults(lua_State* L, int nresults, Outcome* out) {
  const char* name = FunctionName(kind_);
  const int type = nresults > 0 ? lua_type(co_, 1) : LUA_TNONE;
  if (type == LUA_TTABLE) {
    lua_pushvalue(co_, 1);
    lua_xmove(co_, L, 1);
    lua_rawseti(L, LUA_REGISTRYINDEX, state_ref_);
    out->ok = true;
    return;
  }
  if (kind_ == Kind::kJoin && (type == LUA_TNONE || type == LUA_TNIL || type == LUA_TBOOLEAN) &&
      !(type == LUA_TBOOLEAN && lua_toboolean(co_, 1))) {
    out->refused = true;
    out->returned_nothing = nresults == 0;
    size_t len = 0;
    const char* reason =
        nresults > 1 && lua_type(co_, 2) == LUA_TSTRING ? lua_tolstring(co_, 2, &len) : nullptr;
    if (reason != nullptr && ValidRefusalReason(reason, len))
      out->refused_reason.assign(reason, len);
    return;
  }
  Failure(out, "runtime_error",
          std::string(name) + " returned " +
              (type == LUA_TNONE ? "nothing" : lua_typename(co_, type)) +
              " instead of the state table");
}

bool MatchScript::GetState(const std::string* player_id, std::string* view_json, Outcome* failure) {
  *failure = Outcome{};
  lua_State* L = state_->get();
  bool ok = false;
  script::ProtectedStatus ps = script::RunProtected(L, [&](lua_State* s) {
    PushGlobal(s, kNameGetState);
    if (!lua_isfunction(s, -1)) {
      Failure(failure, "runtime_error", "get_state is not defined");
      return;
    }
    int nargs = 1;
    if (player_id != nullptr) {
      PushPlayerId(s, *player_id);
      nargs = 2;
    }
    lua_rawgeti(s, LUA_REGISTRYINDEX, state_ref_);
    const int64_t start_ns = MonoNs();
    script::CallResult r = script::CallWithBudget(s, nargs, 1, kGetStateBudgetMs);
    failure->elapsed_us = (MonoNs() - start_ns) / 1000;
    if (!r.ok()) {
      Failure(failure, r.reason_class(), r.message);
      failure->memory_exceeded = r.memory_exceeded;
      failure->unrecoverable = r.unrecoverable;
      return;
    }
    script::LuaToJsonOptions o;
    o.shape = script::JsonShape::kObject;
    view_json->clear();
    Status st = script::EncodeLuaToJson(s, -1, view_json, o);
    if (!st.ok()) {
      Failure(failure, "runtime_error", "get_state view: " + st.error().reason);
      return;
    }
    ok = true;
  });
  if (!ps.ok) {
    Failure(failure, "runtime_error", ps.message);
    failure->memory_exceeded = ps.out_of_memory;
    return false;
  }
  return ok;
}

bool MatchScript::ReadPhases(std::vector<PhaseDef>* defs, std::string* warning) {
  defs->clear();
  warning->clear();
  lua_State* L = state_->get();
  bool ok = false;
  script::ProtectedStatus ps = script::RunProtected(L, [&](lua_State* s) {
    RawGetGlobal(s, "phases");
    if (!lua_isfunction(s, -1)) return;
    lua_rawgeti(s, LUA_REGISTRYINDEX, config_ref_);
    script::CallResult r = script::CallWithBudget(s, 1, 1, kPhasesBudgetMs);
    if (!r.ok()) {
      *warning = "phases failed: " + r.message;
      return;
    }
    ok = ReadPhaseArray(s, lua_gettop(s), defs, warning);
  });
  if (!ps.ok) {
    *warning = "phases failed: " + ps.message;
    defs->clear();
    return false;
  }
  return ok;
}

bool MatchScript::RequestVote(std::string* config_json, Outcome* failure) {
  *failure = Outcome{};
  if (!has_vote_requested_) return false;
  lua_State* L = state_->get();
  bool got = false;
  script::ProtectedStatus ps = script::RunProtected(L, [&](lua_State* s) {
    PushGlobal(s, kNameVoteRequested);
    if (!lua_isfunction(s, -1)) return;  // removed by a reload
    lua_rawgeti(s, LUA_REGISTRYINDEX, state_ref_);
    const int64_t start_ns = MonoNs();
    script::CallResult r = script::CallWithBudget(s, 1, 1, kVoteCallbackBudgetMs);
    failure->elapsed_us = (MonoNs() - start_ns) / 1000;
    if (!r.ok()) {
      Failure(failure, r.reason_class(), r.message);
      failure->memory_exceeded = r.memory_exceeded;
      failure->unrecoverable = r.unrecoverable;
      return;
    }
    if (!lua_istable(s, -1)) return;  // nil / false: no vote
    lua_pushnil(s);
    if (lua_next(s, -2) == 0) return;  // {}: no vote
    lua_pop(s, 2);
    script::LuaToJsonOptions o;
    o.shape = script::JsonShape::kObject;
    config_json->clear();
    got = script::EncodeLuaToJson(s, -1, config_json, o).ok();
  });
  if (!ps.ok) {
    Failure(failure, "runtime_error", ps.message);
    failure->memory_exceeded = ps.out_of_memory;
    return false;
  }
  return got;
}

bool MatchScript::ReadFinished(std::string* result_json) {
  lua_State* L = state_->get();
  bool finished = false;
  script::RunProtected(L, [&](lua_State* s) {
    lua_rawgeti(s, LUA_REGISTRYINDEX, state_ref_);
    PushName(s, kNameFinished);
    lua_rawget(s, -2);
    finished = lua_type(s, -1) == LUA_TBOOLEAN && lua_toboolean(s, -1);
    lua_pop(s, 1);
    if (!finished) return;
    lua_pushliteral(s, "_result");
    lua_rawget(s, -2);
    script::LuaToJsonOptions o;
    o.shape = script::JsonShape::kObject;
    result_json->clear();
    if (!script::EncodeLuaToJson(s, -1, result_json, o).ok()) *result_json = "{}";
  });
  if (finished && result_json->empty()) *result_json = "{}";
  return finished;
}

Status MatchScript::Reload(std::shared_ptr<const std::string> source) {
  Status result = script::ReloadMainChunk(state_->get(), *source, chunk_name_, kReloadBudgetMs,
                                          main_abs_, &files_);
  if (!result.ok()) return result;
  source_ = std::move(source);
  return Ok{};
}

void MatchScript::StepGc() { gc_.Step(state_->get()); }

bool MatchScript::Healthy() {
  script::ProtectedStatus ps = script::RunProtected(state_->get(), [](lua_State* s) {
    lua_gc(s, LUA_GCCOLLECT, 0);
    lua_newuserdata(s, kHealthyHeadroomBytes);  // garbage again after the probe
  });
  return ps.ok;
}

}  // namespace asobi::match

#include "script/budget.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <lua.hpp>

#include "script/lua_memory.h"

namespace asobi::script {
namespace {

// Addresses used as unique lightuserdata values / registry keys.
char kTimeoutSentinel;
char kErrorHandlerKey;

constexpr size_t kMaxMessageBytes = 1024;

int64_t SteadyNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Runs on the Lua thread once the hook is set: raise the sentinel, on every instruction.
void TimeoutHook(lua_State* L, lua_Debug* /*ar*/) {
  lua_pushlightuserdata(L, &kTimeoutSentinel);
  lua_error(L);
}

// Where the last error handled by ErrorHandler on this thread was raised ("file:line").
// Written at raise time, read by CallWithBudget right after its lua_pcall returns.
thread_local char t_where[192];

// Message handler of CallWithBudget: records the innermost Lua frame's position without
// allocating (it may run after a memory cap refused everything) and returns the error as is.
int ErrorHandler(lua_State* L) {
  t_where[0] = '\0';
  if (IsTimeoutSentinel(L, 1)) return 1;
  lua_Debug ar;
  for (int level = 1; lua_getstack(L, level, &ar) != 0; ++level) {
    if (lua_getinfo(L, "Sl", &ar) == 0) break;
    if (ar.currentline > 0) {
      std::snprintf(t_where, sizeof(t_where), "%s:%d", ar.short_src, ar.currentline);
      break;
    }
  }
  return 1;
}

void PushErrorHandler(lua_State* L) {
  lua_pushlightuserdata(L, &kErrorHandlerKey);
  lua_rawget(L, LUA_REGISTRYINDEX);
  if (lua_isnil(L, -1)) {
    lua_pop(L, 1);
    lua_pushcfunction(L, &ErrorHandler);  // state not made by LuaState: allocates
  }
}

std::string DescribeError(lua_State* L, int rc) {
  if (rc == LUA_ERRERR) return "error in error handling";
  size_t len = 0;
  if (lua_type(L, -1) == LUA_TSTRING) {
    const char* s = lua_tolstring(L, -1, &len);
    return std::string(s, std::min(len, kMaxMessageBytes));
  }
  std::string msg;
  if (rc == LUA_ERRRUN && t_where[0] != '\0') {
    msg.append(t_where);
    msg.append(": ");
  }
  msg.append("(error object is a ");
  msg.append(lua_typename(L, lua_type(L, -1)));
  msg.append(" value)");
  return msg;
}

CallResult Classify(lua_State* L, int rc, bool fired, bool refused) {
  CallResult r;
  r.memory_exceeded = refused;
  if (fired || IsTimeoutSentinel(L, -1)) {
    r.status = CallStatus::kTimeout;
    r.message = "timeout";
    return r;
  }
  r.status = CallStatus::kRuntimeError;
  r.unrecoverable = rc == LUA_ERRERR;
  if (rc == LUA_ERRMEM) {
    r.message = refused ? "not enough memory (memory limit)" : "not enough memory";
  } else {
    r.message = DescribeError(L, rc);
  }
  return r;
}

}  // namespace

// ---- Watchdog ----

Watchdog::Watchdog() : thread_([this] { Run(); }) {}

Watchdog::~Watchdog() {
  {
    std::lock_guard<std::mutex> lk(mu_);
    stop_ = true;
  }
  cv_.notify_one();
  thread_.join();
}

Watchdog& Watchdog::Default() {
  static Watchdog* instance = new Watchdog();  // never destroyed: callbacks may run at exit
  return *instance;
}

Watchdog::Ticket Watchdog::Arm(lua_State* L, int64_t deadline_steady_ns) {
  bool wake = false;
  Ticket ticket;
  {
    std::lock_guard<std::mutex> lk(mu_);
    ticket = next_ticket_++;
    entries_.push_back(Entry{ticket, L, deadline_steady_ns, false});
    if (deadline_steady_ns < wake_ns_) {
      wake_ns_ = deadline_steady_ns;
      wake = true;
    }
  }
  if (wake) cv_.notify_one();
  return ticket;
}

bool Watchdog::Disarm(Ticket ticket, bool* other_fired) {
  std::lock_guard<std::mutex> lk(mu_);
  bool fired = false;
  lua_State* L = nullptr;
  for (size_t i = 0; i < entries_.size(); ++i) {
    if (entries_[i].ticket == ticket) {
      fired = entries_[i].fired;
      L = entries_[i].L;
      entries_[i] = entries_.back();
      entries_.pop_back();
      break;
    }
  }
  if (other_fired != nullptr) {
    *other_fired = std::any_of(entries_.begin(), entries_.end(),
                               [L](const Entry& e) { return e.L == L && e.fired; });
  }
  return fired;
}

int64_t Watchdog::FireDue(int64_t now_ns) {
  int64_t next = INT64_MAX;
  for (Entry& e : entries_) {
    if (e.due_ns <= now_ns) {
      lua_sethook(e.L, &TimeoutHook, LUA_MASKCOUNT, 1);
      e.fired = true;
      e.due_ns = now_ns + kReassertNs;
    }
    next = std::min(next, e.due_ns);
  }
  return next;
}

void Watchdog::Run() {
  std::unique_lock<std::mutex> lk(mu_);
  while (!stop_) {
    const int64_t next = FireDue(SteadyNs());
    wake_ns_ = next;
    if (next == INT64_MAX) {
      cv_.wait(lk);
    } else {
      cv_.wait_until(lk, std::chrono::steady_clock::time_point(std::chrono::nanoseconds(next)));
    }
  }
}

// ---- Budget ----

Budget::Budget(Watchdog& watchdog, lua_State* L, int budget_ms)
    : watchdog_(watchdog),
      L_(L),
      ticket_(watchdog.Arm(L, SteadyNs() + int64_t{budget_ms} * 1'000'000)),
      armed_(true) {}

bool Budget::Finish() {
  if (!armed_) return fired_;
  armed_ = false;
  bool other_fired = false;
  fired_ = watchdog_.Disarm(ticket_, &other_fired);
  if (fired_ && !other_fired) lua_sethook(L_, nullptr, 0, 0);
  return fired_;
}

// ---- Calls ----

bool IsTimeoutSentinel(lua_State* L, int index) {
  return lua_type(L, index) == LUA_TLIGHTUSERDATA && lua_touserdata(L, index) == &kTimeoutSentinel;
}

const char* CallResult::reason_class() const {
  switch (status) {
    case CallStatus::kOk:
      return "ok";
    case CallStatus::kTimeout:
      return "timeout";
    case CallStatus::kRuntimeError:
      return "runtime_error";
  }
  return "runtime_error";
}

CallResult CallWithBudget(lua_State* L, int nargs, int nresults, int budget_ms) {
  return CallWithBudget(L, nargs, nresults, budget_ms, Watchdog::Default());
}

CallResult CallWithBudget(lua_State* L, int nargs, int nresults, int budget_ms,
                          Watchdog& watchdog) {
  const int handler_index = lua_gettop(L) - nargs;
  PushErrorHandler(L);
  lua_insert(L, handler_index);
  LuaMemory* memory = LuaMemory::From(L);
  if (memory != nullptr) memory->BeginCallback();
  int rc;
  bool fired = false;
  if (budget_ms > 0) {
    Budget budget(watchdog, L, budget_ms);
    rc = lua_pcall(L, nargs, nresults, handler_index);
    fired = budget.Finish();
  } else {
    rc = lua_pcall(L, nargs, nresults, handler_index);
  }
  const bool refused = memory != nullptr && memory->EndCallback();
  lua_remove(L, handler_index);
  if (rc == 0) return CallResult{};
  CallResult result = Classify(L, rc, fired, refused);
  lua_pop(L, 1);
  return result;
}

int RegisterBudgetSupport(lua_State* L) {
  lua_pushlightuserdata(L, &kErrorHandlerKey);
  lua_pushcfunction(L, &ErrorHandler);
  lua_rawset(L, LUA_REGISTRYINDEX);
  return 0;
}

}  // namespace asobi::script

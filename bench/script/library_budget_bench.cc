// library_budget_bench: how long each long-running allow-listed library call runs in a callback
// with a 50 ms budget (issue 10, defect 7; bench/README.md "Runaway scripts"). Standalone (not
// Google Benchmark): one line per case with the status and the wall time of the call.
//
//   library_budget_bench [--budget-ms 50] [--jit 0|1] [--repeat 3]
//
// "stopped" cases are interrupted by the budget inside the C function (asobi-cpoll.patch, or
// PollTimeout in our utf8): their time is the budget plus how late the stop came. "bounded"
// cases cannot be interrupted but are bounded by memory (a string is at most one callback's
// growth): their time is the whole call, which is what an expired budget can overrun by.
// The state gets a 64 MiB callback growth cap (production: 40 MiB) so the inputs are at least
// as large as a script could make them.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <lua.hpp>
#include <string>
#include <vector>

#include "script/budget.h"
#include "script/lua_state.h"

namespace asobi::script {
namespace {

struct Case {
  const char* name;
  const char* kind;  // "stopped" or "bounded"
  const char* setup;
  const char* call;
};

// Inputs are globals made by `setup` (unbudgeted); `call` runs under the budget.
const Case kCases[] = {
    {"string.find backtracking", "stopped", "",
     "return string.find(string.rep('a', 40), string.rep('a*', 40) .. 'b')"},
    {"string.match backtracking", "stopped", "",
     "return string.match(string.rep('a', 40), string.rep('a*', 40) .. 'b')"},
    {"string.gsub backtracking", "stopped", "",
     "return string.gsub(string.rep('a', 40), string.rep('a*', 40) .. 'b', '')"},
    {"string.gmatch backtracking", "stopped", "",
     "for x in string.gmatch(string.rep('a', 40), string.rep('a*', 40) .. 'b') do end"},
    {"string.find plain 8 MB x 4 MB", "stopped",
     "S = string.rep('a', 8e6) P = string.rep('a', 4e6) .. 'b'",
     "return string.find(S, P, 1, true)"},
    {"string.rep 30 MB", "stopped", "", "return #string.rep('ab', 15e6)"},
    {"table.concat 4M elements", "stopped", "T = {} for i = 1, 4e6 do T[i] = 'xy' end",
     "return #table.concat(T)"},
    {"table.sort 2M numbers", "stopped", "U = {} for i = 1, 2e6 do U[i] = (i * 7919) % 2000003 end",
     "table.sort(U)"},
    {"table.insert front of 4M", "stopped", "V = {} for i = 1, 4e6 do V[i] = i end",
     "table.insert(V, 1, 0)"},
    {"table.maxn 4M slots", "stopped",
     "M = {} for i = 1, 4e6 do M[i] = i end for i = 2, 4e6 do M[i] = nil end",
     "return table.maxn(M)"},
    {"utf8.len 30 MB", "stopped", "S8 = string.rep('a', 30e6)", "return utf8.len(S8)"},
    {"string.upper 30 MB", "bounded", "S8 = string.rep('a', 30e6)", "return #string.upper(S8)"},
    {"string.reverse 30 MB", "bounded", "S8 = string.rep('a', 30e6)", "return #string.reverse(S8)"},
    {"string.sub 30 MB copy", "bounded", "S8 = string.rep('a', 30e6)", "return #string.sub(S8, 2)"},
    {"string.format %q 16 MB of NULs", "stopped", "Z = string.rep('\\0', 16e6)",
     "return #string.format('%q', Z)"},
    {"tonumber 30 MB of spaces", "bounded", "W = string.rep(' ', 30e6)", "return tonumber(W)"},
    {"'..' 30 MB", "bounded", "S8 = string.rep('a', 30e6)", "return #(S8 .. 'x')"},
    {"os.date 4 KiB format", "bounded", "", "return #os.date(string.rep('%c', 2048))"},
};

double NowMs() {
  return std::chrono::duration<double, std::milli>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

int Run(int budget_ms, bool jit, int repeat) {
  std::printf("budget %d ms, JIT %s, LuaJIT polls in library calls: %s\n", budget_ms,
              jit ? "on" : "off", BudgetStopsLibraryCalls() ? "yes" : "no (system LuaJIT)");
  std::printf("%-32s %-8s %-8s %10s %8s\n", "case", "kind", "status", "max ms", "x budget");
  for (const Case& c : kCases) {
    const bool bomb = std::strstr(c.name, "backtracking") || std::strstr(c.name, "plain");
    if (bomb && !BudgetStopsLibraryCalls()) {
      std::printf("%-32s skipped: runs for hours without asobi-cpoll.patch\n", c.name);
      continue;
    }
    double worst = 0;
    std::string status;
    for (int i = 0; i < repeat; ++i) {
      LuaStateOptions o;
      o.jit = jit;
      o.memory.callback_growth_max_bytes = size_t{64} << 20;
      auto state = LuaState::Create(o);
      if (!state.ok()) return 1;
      lua_State* L = (*state)->get();
      if (luaL_loadstring(L, c.setup) != 0) return 1;
      CallResult setup = CallWithBudget(L, 0, 0, 20000);
      if (!setup.ok()) {
        std::fprintf(stderr, "%s: setup failed: %s\n", c.name, setup.message.c_str());
        return 1;
      }
      if (luaL_loadstring(L, c.call) != 0) return 1;
      const double t0 = NowMs();
      CallResult r = CallWithBudget(L, 0, 0, budget_ms);
      const double ms = NowMs() - t0;
      worst = std::max(worst, ms);
      status = r.ok() ? "ok" : r.reason_class();
      if (!r.ok() && r.status != CallStatus::kTimeout) status += ": " + r.message;
    }
    std::printf("%-32s %-8s %-8s %10.1f %8.2f\n", c.name, c.kind, status.c_str(), worst,
                worst / budget_ms);
  }
  return 0;
}

}  // namespace
}  // namespace asobi::script

int main(int argc, char** argv) {
  int budget_ms = 50, repeat = 3;
  bool jit = false;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--budget-ms") == 0) budget_ms = std::atoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--jit") == 0) jit = std::atoi(argv[i + 1]) != 0;
    if (std::strcmp(argv[i], "--repeat") == 0) repeat = std::atoi(argv[i + 1]);
  }
  return asobi::script::Run(budget_ms, jit, repeat);
}

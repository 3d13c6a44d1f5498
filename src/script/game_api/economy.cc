// game.economy.* (lua.md §9 Economy; DECISIONS.md Lua 2): grant, debit, balance, purchase.
// Every call is *DB*: it validates its arguments, then suspends the callback's coroutine until
// the economy backend answers (or the host's 2000 ms timeout answers `{error = "timeout"}`).
// Results are wrapped: `{ok = value}` or `{error = "reason"}`; nothing here raises.
//
// Beyond upstream: grant and debit take an idempotency key as a 5th argument, either a string
// or a table `{idempotency_key = "..."}` (docs/decisions.md "Idempotent grants and debits").
#include <cmath>
#include <lua.hpp>
#include <optional>
#include <string>
#include <utility>

#include "script/game_api/api_backends.h"
#include "script/game_api/api_namespaces.h"
#include "script/game_api/economy_backend.h"
#include "script/game_api/game_api.h"
#include "script/lua_json.h"

namespace asobi::script::game_api {
namespace {

constexpr double kMaxAmount = 2147483647.0;  // wallets.balance is an INTEGER (rest.md §5)
constexpr char kChangeShape[] = "player_id, currency, amount[, reason[, idempotency_key]]";

struct ChangeArgs {
  std::string player_id;
  std::string currency;
  int64_t amount = 0;
  std::string reason;
  std::optional<std::string> key;
};

std::string ToString(lua_State* L, int index) {
  size_t n = 0;
  const char* s = lua_tolstring(L, index, &n);
  return std::string(s, n);
}

// Reads (player_id, currency, amount[, reason[, key | {idempotency_key = key}]]). Returns
// false after pushing the usage error (wrong arity or types, lua.md §9). A numeric amount
// that is not a whole number of at least 1 after truncation toward zero (0.5, -3, NaN, inf)
// or passes 2^31 - 1 sets *bad_amount instead.
bool ReadChange(lua_State* L, const char* fn, ChangeArgs* out, bool* bad_amount) {
  const int n = lua_gettop(L);
  if (n < 3 || n > 5 || lua_type(L, 1) != LUA_TSTRING || lua_type(L, 2) != LUA_TSTRING ||
      lua_type(L, 3) != LUA_TNUMBER || (n >= 4 && !lua_isnil(L, 4) && !lua_isstring(L, 4))) {
    ApiUsage(L, fn, kChangeShape);
    return false;
  }
  if (n >= 4 && lua_type(L, 4) == LUA_TNUMBER) {  // lua_isstring accepts numbers
    ApiUsage(L, fn, kChangeShape);
    return false;
  }
  out->player_id = ToString(L, 1);
  out->currency = ToString(L, 2);
  if (n >= 4 && !lua_isnil(L, 4)) out->reason = ToString(L, 4);
  if (n == 5) {
    if (lua_type(L, 5) == LUA_TSTRING) {
      out->key = ToString(L, 5);
    } else if (lua_type(L, 5) == LUA_TTABLE) {
      lua_pushliteral(L, "idempotency_key");
      lua_rawget(L, 5);  // no metamethods
      if (lua_type(L, -1) == LUA_TSTRING) {
        out->key = ToString(L, -1);
      } else if (!lua_isnil(L, -1)) {
        lua_pop(L, 1);
        ApiUsage(L, fn, kChangeShape);
        return false;
      }
      lua_pop(L, 1);
    } else if (!lua_isnil(L, 5)) {
      ApiUsage(L, fn, kChangeShape);
      return false;
    }
  }
  const double amount = std::trunc(lua_tonumber(L, 3));
  *bad_amount = !(amount >= 1 && amount <= kMaxAmount);  // NaN fails both
  if (!*bad_amount) out->amount = int64_t(amount);
  return true;
}

int PushError(lua_State* L, const Error& e) { return ApiError(L, e.reason); }

int PushWallet(lua_State* L, const Result<EconomyBackend::Wallet>& r) {
  if (!r.ok()) return PushError(L, r.error());
  const EconomyBackend::Wallet& w = r.value();
  lua_createtable(L, 0, 1);
  lua_createtable(L, 0, 4);
  lua_pushlstring(L, w.player_id.data(), w.player_id.size());
  lua_setfield(L, -2, "player_id");
  lua_pushlstring(L, w.currency.data(), w.currency.size());
  lua_setfield(L, -2, "currency");
  lua_pushnumber(L, double(w.balance));
  lua_setfield(L, -2, "balance");
  if (w.replayed) {
    lua_pushboolean(L, 1);
    lua_setfield(L, -2, "replayed");
  }
  lua_setfield(L, -2, "ok");
  return 1;
}

// Suspends the running callback until `op(done)` answers. `op` runs after the yield.
template <typename Op>
int Suspend(lua_State* L, Op op) {
  ApiHost* host = HostOf(L);
  if (host == nullptr || !host->CanSuspend(L)) return ApiError(L, "cannot_suspend_here");
  host->BeginAsync([host, op = std::move(op)](AsyncComplete done) mutable {
    EconomyBackend* backend = ApiBackends::OnThisShard().economy;
    if (backend == nullptr) {  // torn down between the call and the yield: answer later
      host->RunAfterMs(0, [done = std::move(done)] {
        done([](lua_State* s) { return ApiError(s, "economy is not available"); });
      });
      return;
    }
    op(*backend, std::move(done));
  });
  return lua_yield(L, 0);
}

int Change(lua_State* L, bool grant) {
  const char* fn = grant ? "game.economy.grant" : "game.economy.debit";
  ChangeArgs args;
  bool bad_amount = false;
  if (!ReadChange(L, fn, &args, &bad_amount)) return 1;
  if (bad_amount) return ApiError(L, "invalid_amount");
  if (ApiBackends::OnThisShard().economy == nullptr) {
    return ApiError(L, "economy is not available");
  }
  return Suspend(L, [args = std::move(args), grant](EconomyBackend& b, AsyncComplete done) mutable {
    auto reply = [done = std::move(done)](Result<EconomyBackend::Wallet> r) {
      done([r = std::move(r)](lua_State* s) { return PushWallet(s, r); });
    };
    if (grant) {
      b.Grant(std::move(args.player_id), std::move(args.currency), args.amount,
              std::move(args.reason), std::move(args.key), std::move(reply));
    } else {
      b.Debit(std::move(args.player_id), std::move(args.currency), args.amount,
              std::move(args.reason), std::move(args.key), std::move(reply));
    }
  });
}

int Grant(lua_State* L) { return Change(L, true); }
int Debit(lua_State* L) { return Change(L, false); }

int PushBalances(lua_State* L, const Result<std::vector<EconomyBackend::Balance>>& r) {
  if (!r.ok()) return PushError(L, r.error());
  lua_createtable(L, 0, 1);
  lua_createtable(L, int(r->size()), 0);
  int i = 0;
  for (const EconomyBackend::Balance& b : r.value()) {
    lua_createtable(L, 0, 2);
    lua_pushlstring(L, b.currency.data(), b.currency.size());
    lua_setfield(L, -2, "currency");
    lua_pushnumber(L, double(b.balance));
    lua_setfield(L, -2, "balance");
    lua_rawseti(L, -2, ++i);
  }
  lua_setfield(L, -2, "ok");
  return 1;
}

int Balance(lua_State* L) {
  if (lua_gettop(L) != 1 || lua_type(L, 1) != LUA_TSTRING) {
    return ApiUsage(L, "game.economy.balance", "player_id");
  }
  if (ApiBackends::OnThisShard().economy == nullptr) {
    return ApiError(L, "economy is not available");
  }
  return Suspend(L, [player = ToString(L, 1)](EconomyBackend& b, AsyncComplete done) mutable {
    b.Balances(std::move(player),
               [done = std::move(done)](Result<std::vector<EconomyBackend::Balance>> r) {
                 done([r = std::move(r)](lua_State* s) { return PushBalances(s, r); });
               });
  });
}

// The item row without its internal fields (lua.md §9: id, inserted_at, updated_at removed).
int PushItem(lua_State* L, const Result<std::string>& r) {
  if (!r.ok()) return PushError(L, r.error());
  thread_local simdjson::dom::parser parser;
  const int base = lua_gettop(L);
  lua_createtable(L, 0, 1);
  if (!PushJsonText(L, parser, r.value()).ok() || lua_type(L, -1) != LUA_TTABLE) {
    lua_settop(L, base);
    return ApiError(L, "internal");
  }
  for (const char* internal : {"id", "inserted_at", "updated_at"}) {
    lua_pushnil(L);
    lua_setfield(L, -2, internal);
  }
  lua_setfield(L, -2, "ok");
  return 1;
}

int Purchase(lua_State* L) {
  if (lua_gettop(L) != 2 || lua_type(L, 1) != LUA_TSTRING || lua_type(L, 2) != LUA_TSTRING) {
    return ApiUsage(L, "game.economy.purchase", "player_id, listing_id");
  }
  if (ApiBackends::OnThisShard().economy == nullptr) {
    return ApiError(L, "economy is not available");
  }
  return Suspend(L, [player = ToString(L, 1), listing = ToString(L, 2)](
                        EconomyBackend& b, AsyncComplete done) mutable {
    b.Purchase(std::move(player), std::move(listing),
               [done = std::move(done)](Result<std::string> r) {
                 done([r = std::move(r)](lua_State* s) { return PushItem(s, r); });
               });
  });
}

const ApiFunction kFunctions[] = {
    {"grant", &Grant},
    {"debit", &Debit},
    {"balance", &Balance},
    {"purchase", &Purchase},
};

}  // namespace

const ApiNamespace kEconomyNamespace = {"economy", kFunctions, int(std::size(kFunctions)),
                                        kAllHosts, false};

}  // namespace asobi::script::game_api

#include "script/lua_random.h"

#include <sodium.h>

#include <cmath>
#include <cstring>
#include <lua.hpp>
#include <new>

namespace asobi::script {
namespace {

constexpr double kTwoPow53 = 9007199254740992.0;

uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t SplitMix64(uint64_t* x) {
  uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

Xoshiro256* Generator(lua_State* L) {
  return static_cast<Xoshiro256*>(lua_touserdata(L, lua_upvalueindex(1)));
}

double Clamp53(double x) {
  if (x > kTwoPow53) return kTwoPow53;
  if (x < -kTwoPow53) return -kTwoPow53;
  return x;
}

bool IsFiniteNumber(lua_State* L, int index) {
  return lua_type(L, index) == LUA_TNUMBER && std::isfinite(lua_tonumber(L, index));
}

// Uniform integer in [lo, hi], both integral and within +-2^53.
double IntegerBetween(Xoshiro256* g, double lo, double hi) {
  const auto span = static_cast<uint64_t>(static_cast<int64_t>(hi) - static_cast<int64_t>(lo)) + 1;
  return static_cast<double>(static_cast<int64_t>(lo) + static_cast<int64_t>(g->Below(span)));
}

int Random(lua_State* L) {
  Xoshiro256* g = Generator(L);
  const int nargs = lua_gettop(L);
  if (nargs == 1 && lua_type(L, 1) == LUA_TNUMBER && lua_tonumber(L, 1) >= 1) {
    lua_pushnumber(L, IntegerBetween(g, 1, std::trunc(Clamp53(lua_tonumber(L, 1)))));
    return 1;
  }
  if (nargs >= 2 && IsFiniteNumber(L, 1) && IsFiniteNumber(L, 2)) {
    const double lo = std::trunc(Clamp53(lua_tonumber(L, 1)));
    const double hi = std::trunc(Clamp53(lua_tonumber(L, 2)));
    luaL_argcheck(L, lo <= hi, 2, "interval is empty");
    lua_pushnumber(L, IntegerBetween(g, lo, hi));
    return 1;
  }
  lua_pushnumber(L, g->NextDouble());
  return 1;
}

int RandomSeed(lua_State* L) {
  Xoshiro256* g = Generator(L);
  if (lua_type(L, 1) == LUA_TNUMBER) {
    const double x = lua_tonumber(L, 1);
    uint64_t bits;
    std::memcpy(&bits, &x, sizeof(bits));
    g->Seed(bits);
  } else {
    g->SeedRandom();
  }
  return 0;
}

}  // namespace

void Xoshiro256::SeedRandom() {
  [[maybe_unused]] static const int sodium_ready = sodium_init();  // idempotent, thread-safe
  do {
    randombytes_buf(s_, sizeof(s_));
  } while ((s_[0] | s_[1] | s_[2] | s_[3]) == 0);
}

void Xoshiro256::Seed(uint64_t seed) {
  for (uint64_t& word : s_) word = SplitMix64(&seed);
}

uint64_t Xoshiro256::Next() {
  const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = Rotl(s_[3], 45);
  return result;
}

double Xoshiro256::NextDouble() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

uint64_t Xoshiro256::Below(uint64_t span) {
  // Reject the low `threshold` values so that what remains is a multiple of span.
  const uint64_t threshold = (0 - span) % span;
  for (;;) {
    const uint64_t r = Next();
    if (r >= threshold) return r % span;
  }
}

void InstallRandom(lua_State* L) {
  lua_getglobal(L, "math");
  void* mem = lua_newuserdata(L, sizeof(Xoshiro256));
  auto* g = new (mem) Xoshiro256();  // trivially destructible: no __gc needed
  g->SeedRandom();
  lua_pushvalue(L, -1);
  lua_pushcclosure(L, &Random, 1);
  lua_setfield(L, -3, "random");
  lua_pushcclosure(L, &RandomSeed, 1);
  lua_setfield(L, -2, "randomseed");
  lua_pop(L, 1);
}

}  // namespace asobi::script

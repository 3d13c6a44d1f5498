// Per-state math.random / math.randomseed (lua.md §12).
#pragma once

#include <cstdint>

struct lua_State;

namespace asobi::script {

/// xoshiro256** generator; 256 bits of state. Not thread-safe; one per Lua state.
class Xoshiro256 {
 public:
  /// Seeds from libsodium's CSPRNG.
  void SeedRandom();
  /// Seeds deterministically from `seed` (expanded with splitmix64).
  void Seed(uint64_t seed);
  /// Next 64 random bits.
  uint64_t Next();
  /// Uniform double in [0, 1) with 53 random bits.
  double NextDouble();
  /// Uniform integer in [0, span) for span >= 1, without modulo bias.
  uint64_t Below(uint64_t span);

 private:
  uint64_t s_[4] = {1, 2, 3, 4};
};

/// Replaces math.random and math.randomseed with closures over a per-state Xoshiro256
/// (a userdata upvalue) seeded from the CSPRNG:
///   math.random()          -> float in [0, 1)
///   math.random(n), n >= 1 -> integer in [1, trunc(n)]
///   math.random(a, b)      -> integer in [trunc(a), trunc(b)] (finite numbers); raises
///                             "bad argument #2 to 'random' (interval is empty)" if a > b
///   anything else (e.g. 0, nan, a string) -> float in [0, 1) [compat]
/// Bounds are clamped to +-2^53. math.randomseed(x) reseeds deterministically from the number
/// x; without a number it reseeds from the CSPRNG [C++].
/// Must run in protected mode (part of OpenSandbox).
void InstallRandom(lua_State* L);

}  // namespace asobi::script

// GradientNoise: seeded 2-D Perlin gradient noise and its fractal sum (fBm), for the `perlin`
// terrain provider. Our own small implementation (game runtime): deterministic for a seed on
// every IEEE-754 platform (only +, -, *, / and floor, built without floating-point
// contraction), and not periodic (lattice gradients come from a 64-bit hash of the lattice
// point, not a 256-entry permutation table).
#pragma once

#include <cstdint>

namespace asobi::world::terrain {

/// Immutable after construction; safe to use from any number of threads at once.
class GradientNoise {
 public:
  /// Same seed, same noise field, on every platform.
  explicit GradientNoise(uint64_t seed) : seed_(seed) {}

  /// Perlin noise at (x, y): a smooth function in [-1, 1], 0 at every integer lattice point,
  /// with one of 8 unit-ish gradients per lattice point (quintic fade). Finite for finite
  /// input with |x|, |y| < 2^62.
  double Noise(double x, double y) const;

  /// Fractal sum of `octaves` noise layers: layer i samples at frequency
  /// `frequency · lacunarity^i` with weight `persistence^i`; the sum is divided by the total
  /// weight, so the result stays in [-1, 1]. Each octave hashes with its own seed.
  double Fbm(double x, double y, double frequency, int octaves, double lacunarity,
             double persistence) const;

 private:
  // Dot product of lattice point (ix, iy)'s gradient (octave `octave`) with (dx, dy).
  double Corner(int64_t ix, int64_t iy, uint64_t octave, double dx, double dy) const;
  double NoiseOctave(double x, double y, uint64_t octave) const;

  uint64_t seed_;
};

}  // namespace asobi::world::terrain

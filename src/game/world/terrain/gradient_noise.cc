#include "game/world/terrain/gradient_noise.h"

#include <algorithm>
#include <cmath>

namespace asobi::world::terrain {
namespace {

// The splitmix64 finaliser: a well-mixed 64-bit hash of `v`.
uint64_t Mix(uint64_t v) {
  v ^= v >> 30;
  v *= 0xbf58476d1ce4e5b9ULL;
  v ^= v >> 27;
  v *= 0x94d049bb133111ebULL;
  v ^= v >> 31;
  return v;
}

// 6t^5 - 15t^4 + 10t^3: zero first and second derivative at 0 and 1.
double Fade(double t) { return t * t * t * (t * (t * 6.0 - 15.0) + 10.0); }

double Lerp(double a, double b, double t) { return a + t * (b - a); }

}  // namespace

double GradientNoise::Corner(int64_t ix, int64_t iy, uint64_t octave, double dx, double dy) const {
  const uint64_t h =
      Mix(seed_ ^ Mix(static_cast<uint64_t>(ix) ^
                      Mix(static_cast<uint64_t>(iy) + 0x9e3779b97f4a7c15ULL * (octave + 1))));
  // Eight gradients: the four axes and the four diagonals (diagonals scaled to length ~1).
  constexpr double kD = 0.7071067811865476;
  switch (h & 7) {
    case 0:
      return dx;
    case 1:
      return -dx;
    case 2:
      return dy;
    case 3:
      return -dy;
    case 4:
      return kD * (dx + dy);
    case 5:
      return kD * (dx - dy);
    case 6:
      return kD * (-dx + dy);
    default:
      return kD * (-dx - dy);
  }
}

double GradientNoise::NoiseOctave(double x, double y, uint64_t octave) const {
  const double fx = std::floor(x), fy = std::floor(y);
  const int64_t ix = static_cast<int64_t>(fx), iy = static_cast<int64_t>(fy);
  const double dx = x - fx, dy = y - fy;
  const double n00 = Corner(ix, iy, octave, dx, dy);
  const double n10 = Corner(ix + 1, iy, octave, dx - 1.0, dy);
  const double n01 = Corner(ix, iy + 1, octave, dx, dy - 1.0);
  const double n11 = Corner(ix + 1, iy + 1, octave, dx - 1.0, dy - 1.0);
  const double u = Fade(dx), v = Fade(dy);
  // The largest magnitude these gradients reach is sqrt(2)/2 · 2 · 0.5 ≈ 0.71 at a cell
  // centre; scale so the range is [-1, 1], and clamp away rounding.
  const double n = Lerp(Lerp(n00, n10, u), Lerp(n01, n11, u), v) * 1.4142135623730951;
  return std::clamp(n, -1.0, 1.0);
}

double GradientNoise::Noise(double x, double y) const { return NoiseOctave(x, y, 0); }

double GradientNoise::Fbm(double x, double y, double frequency, int octaves, double lacunarity,
                          double persistence) const {
  double sum = 0, weight = 0, amplitude = 1, f = frequency;
  for (int i = 0; i < octaves; ++i) {
    sum += amplitude * NoiseOctave(x * f, y * f, static_cast<uint64_t>(i));
    weight += amplitude;
    amplitude *= persistence;
    f *= lacunarity;
  }
  return weight > 0 ? std::clamp(sum / weight, -1.0, 1.0) : 0.0;
}

}  // namespace asobi::world::terrain

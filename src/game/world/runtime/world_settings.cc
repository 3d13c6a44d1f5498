#include "game/world/runtime/world_settings.h"

#include <cmath>

namespace asobi::world {
namespace {

int Cell(double p, double size, int grid) {
  if (!(p >= 0)) return 0;  // negative or NaN
  const double c = std::floor(p / size);
  if (c >= double(grid - 1)) return grid - 1;
  return int(c);
}

}  // namespace

ZoneKey ZoneOfPosition(const WorldSettings& s, double px, double py) {
  return ZoneKey{Cell(px, s.zone_size, s.grid_size), Cell(py, s.zone_size, s.grid_size)};
}

bool WithinHysteresis(const WorldSettings& s, ZoneKey key, double px, double py) {
  const double h = s.crossing_hysteresis;
  const double world = s.zone_size * s.grid_size;
  if (!(h > 0) || !(px >= 0 && px < world && py >= 0 && py < world)) return false;
  const double x0 = key.x * s.zone_size, y0 = key.y * s.zone_size;
  return px >= x0 - h && px <= x0 + s.zone_size + h && py >= y0 - h && py <= y0 + s.zone_size + h;
}

int ZoneShard(const WorldSettings& s, int owner_shard, int shard_count, ZoneKey key) {
  if (shard_count <= 1) return 0;
  const int64_t index = int64_t(key.y) * s.grid_size + key.x;
  return int((owner_shard + index) % shard_count);
}

}  // namespace asobi::world

#include "game/world/runtime/world_resync.h"

namespace asobi::world {
namespace {

std::optional<int64_t> Coord(simdjson::dom::element e) {
  int64_t v = 0;
  if (e.type() == simdjson::dom::element_type::INT64) {
    v = e.get_int64().value();
  } else if (e.type() == simdjson::dom::element_type::UINT64) {
    return std::nullopt;  // beyond int64, so beyond the bound
  } else {
    return std::nullopt;
  }
  if (v > kResyncCoordMax || v < -kResyncCoordMax) return std::nullopt;
  return v;
}

}  // namespace

std::optional<std::pair<int64_t, int64_t>> ParseResyncZone(JsonValue payload) {
  if (!payload.is_object()) return std::nullopt;
  std::optional<JsonValue> zone = GetField(payload, "zone");
  if (!zone || !zone->is_array()) return std::nullopt;
  simdjson::dom::array a = zone->get_array().value();
  if (a.size() != 2) return std::nullopt;
  std::optional<int64_t> x = Coord(a.at(0).value());
  std::optional<int64_t> y = Coord(a.at(1).value());
  if (!x || !y) return std::nullopt;
  return std::make_pair(*x, *y);
}

}  // namespace asobi::world

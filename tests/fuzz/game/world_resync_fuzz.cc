// Fuzz target: arbitrary bytes -> simdjson -> ParseResyncZone (the world.resync payload,
// websocket.md §10.7). Must never crash; an accepted zone has both coordinates within
// ±kResyncCoordMax, and re-encoding it as {"zone":[x,y]} parses back to the same zone.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "game/world/runtime/world_resync.h"
#include "simdjson.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static simdjson::dom::parser* parser = new simdjson::dom::parser();
  static simdjson::dom::parser* reparser = new simdjson::dom::parser();
  simdjson::dom::element payload;
  if (parser->parse(reinterpret_cast<const char*>(data), size).get(payload) != simdjson::SUCCESS) {
    return 0;
  }
  auto zone = asobi::world::ParseResyncZone(payload);
  if (!zone) return 0;
  const int64_t max = asobi::world::kResyncCoordMax;
  Check(zone->first >= -max && zone->first <= max && zone->second >= -max && zone->second <= max);
  const std::string again =
      "{\"zone\":[" + std::to_string(zone->first) + "," + std::to_string(zone->second) + "]}";
  simdjson::dom::element back;
  Check(reparser->parse(again).get(back) == simdjson::SUCCESS);
  auto same = asobi::world::ParseResyncZone(back);
  Check(same && *same == *zone);
  return 0;
}

// Fuzz target: arbitrary bytes -> simdjson -> StatusOf (the `presence.update` payload rule,
// websocket.md §8.6, docs/decisions.md "Presence") for object payloads. Must never crash; an
// accepted status is at most kStatusBytesMax bytes of valid JSON, and the presence.changed
// frame built from it parses back with that status.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>

#include "game/presence/presence_handlers.h"
#include "game/presence/presence_service.h"
#include "protocol/json_value.h"
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
  if (parser->parse(reinterpret_cast<const char*>(data), size).get(payload) != simdjson::SUCCESS ||
      !payload.is_object()) {
    return 0;
  }
  std::optional<std::string> status = asobi::presence::StatusOf(payload);
  if (!status) return 0;
  Check(status->size() <= asobi::presence::kStatusBytesMax);
  std::string frame = asobi::presence::PresenceChangedFrame("p", true, *status);
  simdjson::dom::element back;
  Check(reparser->parse(frame).get(back) == simdjson::SUCCESS);
  simdjson::dom::element st;
  Check(back["payload"]["status"].get(st) == simdjson::SUCCESS);
  Check(asobi::ToJson(st) == *status);
  return 0;
}

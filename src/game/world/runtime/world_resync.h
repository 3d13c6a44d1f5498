// The world.resync payload (websocket.md §10.7): `payload.zone` = [x, y], two integers with
// |v| <= 2^32-1. Anything else is dropped silently by the caller.
#pragma once

#include <cstdint>
#include <optional>
#include <utility>

#include "protocol/json_value.h"

namespace asobi::world {

/// Largest |coordinate| §10.7 accepts.
inline constexpr int64_t kResyncCoordMax = 4294967295;

/// The zone coordinates of a world.resync payload, or nullopt when `payload` is not an object
/// whose `zone` is an array of exactly two integers within ±kResyncCoordMax (floats, strings,
/// bools and extra elements are invalid; other keys are ignored). Pure; any thread.
std::optional<std::pair<int64_t, int64_t>> ParseResyncZone(JsonValue payload);

}  // namespace asobi::world

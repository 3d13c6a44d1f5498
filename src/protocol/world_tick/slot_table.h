// SlotTable: a zone's entity id → (slot, gen) bindings for the binary world.tick wire
// (websocket.md §11.2). Kept in step with the zone's broadcast baseline whether or not any
// client is binary, so a keyframe's slots and the delta stream's slots always agree.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace asobi::world_tick {

/// Per-zone slot table. A new entity takes the next free slot scanning forward from a cursor
/// with wraparound; a slot's gen is 0 on its first use and +1 mod 256 on each rebinding (kept
/// after release). Memory grows with the highest slot ever handed out (about 2 bytes per
/// slot plus the id map), so an idle zone with few entities stays small. Not thread-safe;
/// owned by the zone's shard.
class SlotTable {
 public:
  /// An entity's slot (u16) and the slot's generation (u8, wraps), as on the binary wire (§11.2).
  struct Binding {
    uint16_t slot = 0;
    uint8_t gen = 0;
    bool operator==(const Binding&) const = default;
  };
  /// Number of slots (u16 slot numbers).
  static constexpr size_t kSlots = 65536;

  /// Binds `id` (an entity entering the baseline) and returns its binding; an id already
  /// bound keeps its binding. nullopt when all 65,536 slots are in use (the frame that needs
  /// it is refused, §11.3).
  std::optional<Binding> Bind(std::string_view id);
  /// The binding of `id`, or nullopt when it is not bound.
  std::optional<Binding> Find(std::string_view id) const;
  /// Frees the slot of `id` (an entity leaving the baseline); its gen is kept for the next
  /// binding. Returns false when `id` was not bound.
  bool Release(std::string_view id);
  /// Bound entities.
  size_t size() const { return by_id_.size(); }

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  std::unordered_map<std::string, uint16_t, Hash, std::equal_to<>> by_id_;
  // Per slot ever handed out (index < size): its current gen, and whether it is bound.
  std::vector<uint8_t> gens_;
  std::vector<bool> bound_;
  uint32_t cursor_ = 0;  // next slot to try
};

}  // namespace asobi::world_tick

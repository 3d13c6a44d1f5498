#include "protocol/world_tick/slot_table.h"

namespace asobi::world_tick {

std::optional<SlotTable::Binding> SlotTable::Bind(std::string_view id) {
  if (auto existing = Find(id)) return existing;
  if (by_id_.size() >= kSlots) return std::nullopt;
  // Slots below gens_.size() have all been handed out before (the cursor only moves forward
  // and wraps), so the first free slot from the cursor is either a released one or the next
  // never-used one.
  uint32_t slot = cursor_;
  while (slot < gens_.size() && bound_[slot]) slot = (slot + 1) % kSlots;
  Binding b;
  b.slot = static_cast<uint16_t>(slot);
  if (slot == gens_.size()) {
    gens_.push_back(0);
    bound_.push_back(true);
    b.gen = 0;
  } else {
    b.gen = ++gens_[slot];  // wraps mod 256
    bound_[slot] = true;
  }
  cursor_ = (slot + 1) % kSlots;
  by_id_.emplace(std::string(id), b.slot);
  return b;
}

std::optional<SlotTable::Binding> SlotTable::Find(std::string_view id) const {
  auto it = by_id_.find(id);
  if (it == by_id_.end()) return std::nullopt;
  return Binding{it->second, gens_[it->second]};
}

bool SlotTable::Release(std::string_view id) {
  auto it = by_id_.find(id);
  if (it == by_id_.end()) return false;
  bound_[it->second] = false;
  by_id_.erase(it);
  return true;
}

}  // namespace asobi::world_tick

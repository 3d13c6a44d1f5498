#include "script/lua_node_memory.h"

namespace asobi::script {

bool LuaNodeMemory::TryReserve(size_t bytes, size_t state_reserved_after) {
  const size_t now = reserved_.fetch_add(bytes, std::memory_order_relaxed) + bytes;
  if (max_bytes_ == 0 || now <= max_bytes_) return true;
  const int64_t states = states_.load(std::memory_order_relaxed);
  const size_t fair_share = max_bytes_ / size_t(states > 0 ? states : 1);
  const size_t ceiling = max_bytes_ + max_bytes_ / 8;
  if (state_reserved_after <= fair_share && now <= ceiling) return true;
  reserved_.fetch_sub(bytes, std::memory_order_relaxed);
  refusals_.fetch_add(1, std::memory_order_relaxed);
  return false;
}

bool LuaNodeMemory::AdmitNewState() {
  if (max_bytes_ == 0 || reserved_.load(std::memory_order_relaxed) < max_bytes_ / 8 * 7) {
    return true;
  }
  admission_refusals_.fetch_add(1, std::memory_order_relaxed);
  return false;
}

}  // namespace asobi::script

// The node-wide Lua memory budget (issue 10, defect 8; docs/decisions.md "Node Lua memory"):
// one cap on the bytes of every match and bot state of the process, beside the per-state caps
// of lua.md §13 (256 MiB x 1,000 matches is beyond any machine).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace asobi::script {

/// Shared by every LuaMemory whose limits point at it; thread-safe (relaxed atomics only).
///
/// States reserve bytes from it in grants of kGrantBytes, so an allocation touches the shared
/// counter only when a state's live bytes cross a grant boundary. Policy when the cap is
/// reached:
///  - a state whose reservation is above its fair share (cap / attached states) is refused
///    its next growing allocation: the biggest states fail first (their callback gets "not
///    enough memory"; a match whose state cannot get 256 KiB back ends with script_failure);
///  - a state at or below its fair share may still grow, up to the hard ceiling of cap + 1/8;
///    past the ceiling every growth is refused;
///  - new states (matches, bot brains) are not admitted once 7/8 of the cap is reserved
///    (AdmitsNewState): a match creation fails with `match_capacity_reached`, a bot plays with
///    the default AI.
/// Shrinking never fails. Must outlive every state attached to it.
class LuaNodeMemory {
 public:
  /// Bytes a state reserves at a time.
  static constexpr size_t kGrantBytes = size_t{64} << 10;

  /// `max_bytes` 0 = unlimited (reservations are still counted).
  explicit LuaNodeMemory(size_t max_bytes) : max_bytes_(max_bytes) {}
  LuaNodeMemory(const LuaNodeMemory&) = delete;
  LuaNodeMemory& operator=(const LuaNodeMemory&) = delete;

  /// A state starts / stops counting towards the fair share.
  void Attach() { states_.fetch_add(1, std::memory_order_relaxed); }
  void Detach() { states_.fetch_sub(1, std::memory_order_relaxed); }

  /// Reserves `bytes` more for a state whose reservation becomes `state_reserved_after` bytes.
  /// False (nothing reserved, the refusal counted) when the policy above refuses.
  bool TryReserve(size_t bytes, size_t state_reserved_after);
  /// Returns `bytes` a state no longer needs.
  void Release(size_t bytes) { reserved_.fetch_sub(bytes, std::memory_order_relaxed); }

  /// Whether a new state may be created now (below 7/8 of the cap). Counts a refusal.
  bool AdmitNewState();

  /// The cap (0 = unlimited).
  size_t max_bytes() const { return max_bytes_; }
  /// Bytes reserved by all states (their live bytes rounded up to grants).
  size_t reserved_bytes() const { return reserved_.load(std::memory_order_relaxed); }
  /// States attached now (the divisor of the fair share).
  int64_t states() const { return states_.load(std::memory_order_relaxed); }
  /// Growing allocations refused by the node budget.
  uint64_t refusals() const { return refusals_.load(std::memory_order_relaxed); }
  /// New states not admitted.
  uint64_t admission_refusals() const {
    return admission_refusals_.load(std::memory_order_relaxed);
  }

 private:
  const size_t max_bytes_;
  std::atomic<size_t> reserved_{0};
  std::atomic<int64_t> states_{0};
  std::atomic<uint64_t> refusals_{0};
  std::atomic<uint64_t> admission_refusals_{0};
};

}  // namespace asobi::script

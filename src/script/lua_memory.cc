#include "script/lua_memory.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <lua.hpp>

namespace asobi::script {
namespace {

constexpr size_t kGrant = LuaNodeMemory::kGrantBytes;

size_t RoundUpToGrant(size_t bytes) { return (bytes + kGrant - 1) / kGrant * kGrant; }

}  // namespace

LuaMemory::LuaMemory(const LuaMemoryLimits& limits) : limits_(limits) {
  if (limits_.node != nullptr) limits_.node->Attach();
}

LuaMemory::~LuaMemory() {
  if (limits_.node == nullptr) return;
  limits_.node->Release(node_reserved_bytes_);
  limits_.node->Detach();
}

void* LuaMemory::Alloc(void* ud, void* ptr, size_t old_bytes, size_t new_bytes) {
  auto* self = static_cast<LuaMemory*>(ud);
  if (ptr == nullptr) old_bytes = 0;  // Lua passes a type tag in old_bytes for new blocks
  if (new_bytes == 0) {
    self->Release(ptr, old_bytes);
    self->live_bytes_ -= old_bytes;
    if (self->node_reserved_bytes_ > self->live_bytes_ + 2 * kGrant) self->TrimNodeReservation();
    return nullptr;
  }
  const size_t new_live = self->live_bytes_ - old_bytes + new_bytes;
  if (new_bytes > old_bytes && !self->MayGrowTo(new_live)) return nullptr;
  void* p = self->Resize(ptr, old_bytes, new_bytes);
  if (p == nullptr) return nullptr;  // on a failed shrink Lua keeps the old block
  self->live_bytes_ = new_live;
  self->peak_bytes_ = std::max(self->peak_bytes_, new_live);
  if (self->node_reserved_bytes_ > new_live + 2 * kGrant) self->TrimNodeReservation();
  return p;
}

bool LuaMemory::ReserveFromNode(size_t new_live_bytes) {
  const size_t target = RoundUpToGrant(new_live_bytes);
  if (!limits_.node->TryReserve(target - node_reserved_bytes_, target)) return false;
  node_reserved_bytes_ = target;
  return true;
}

void LuaMemory::TrimNodeReservation() {
  const size_t target = RoundUpToGrant(live_bytes_) + kGrant;
  limits_.node->Release(node_reserved_bytes_ - target);
  node_reserved_bytes_ = target;
}

void LuaMemory::Release(void* ptr, size_t bytes) {
  if (ptr == nullptr) return;
  if (SmallBlockPool::Serves(bytes)) {
    pool_.Free(ptr, bytes);
  } else {
    std::free(ptr);
  }
}

void* LuaMemory::Resize(void* ptr, size_t old_bytes, size_t new_bytes) {
  const bool small_new = SmallBlockPool::Serves(new_bytes);
  if (ptr == nullptr) return small_new ? pool_.Allocate(new_bytes) : std::malloc(new_bytes);
  const bool small_old = SmallBlockPool::Serves(old_bytes);
  if (!small_old && !small_new) return std::realloc(ptr, new_bytes);
  if (small_old && small_new && SmallBlockPool::SameClass(old_bytes, new_bytes)) return ptr;
  void* p = small_new ? pool_.Allocate(new_bytes) : std::malloc(new_bytes);
  if (p == nullptr) return nullptr;
  std::memcpy(p, ptr, std::min(old_bytes, new_bytes));
  Release(ptr, old_bytes);
  return p;
}

bool LuaMemory::MayGrowTo(size_t new_live_bytes) {
  const bool in_window = window_depth_ > 0;
  if (in_window && refused_) return false;
  bool over =
      new_live_bytes > limits_.max_bytes || (in_window && new_live_bytes > window_limit_bytes_);
  if (!over && limits_.node != nullptr && new_live_bytes > node_reserved_bytes_) {
    over = !ReserveFromNode(new_live_bytes);
  }
  if (over && in_window) refused_ = true;
  return !over;
}

LuaMemory* LuaMemory::From(lua_State* L) {
  void* ud = nullptr;
  lua_Alloc f = lua_getallocf(L, &ud);
  return f == &LuaMemory::Alloc ? static_cast<LuaMemory*>(ud) : nullptr;
}

void LuaMemory::BeginCallback() {
  if (window_depth_++ == 0) {
    window_limit_bytes_ = live_bytes_ + limits_.callback_growth_max_bytes;
    refused_ = false;
  }
}

bool LuaMemory::EndCallback() {
  if (window_depth_ == 0) return false;
  if (--window_depth_ > 0) return refused_;
  const bool was_refused = refused_;
  refused_ = false;
  window_limit_bytes_ = 0;
  return was_refused;
}

}  // namespace asobi::script

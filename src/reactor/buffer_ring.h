// BufferRing: an io_uring provided-buffer ring (kernel picks a buffer per receive), used by
// multishot receives. One per shard; all of that shard's connections share it.
#pragma once

#include <liburing.h>

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace asobi {

class Reactor;

/// Owns the mmapped ring and the buffer memory; unregistered and freed on destruction.
/// Shard-affine (its Reactor's thread).
class BufferRing {
 public:
  /// Registers `count` (power of two) buffers of `size_bytes` each under group id `bgid`.
  /// Shard-affine: call on the reactor's thread. CHECK-fails when registration fails.
  BufferRing(Reactor& reactor, uint16_t bgid, uint32_t count, uint32_t size_bytes);
  ~BufferRing();
  BufferRing(const BufferRing&) = delete;
  BufferRing& operator=(const BufferRing&) = delete;

  /// Buffer group id to put in a receive SQE's buf_group.
  uint16_t group_id() const { return bgid_; }
  /// Bytes of buffer `bid` as filled by a completion of `len` bytes.
  std::string_view Data(uint16_t bid, uint32_t len) const {
    return {base_ + size_t(bid) * size_, len};
  }
  /// Returns buffer `bid` to the kernel once its bytes have been consumed.
  void Recycle(uint16_t bid);

 private:
  Reactor& reactor_;
  uint16_t bgid_;
  uint32_t count_;
  uint32_t size_;
  io_uring_buf_ring* ring_ = nullptr;
  size_t ring_bytes_ = 0;
  char* base_ = nullptr;
};

}  // namespace asobi

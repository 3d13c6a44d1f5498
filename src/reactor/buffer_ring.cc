#include "reactor/buffer_ring.h"

#include <sys/mman.h>

#include <cstdlib>
#include <cstring>

#include "base/check.h"
#include "base/log.h"
#include "reactor/reactor.h"

namespace asobi {

BufferRing::BufferRing(Reactor& reactor, uint16_t bgid, uint32_t count, uint32_t size_bytes)
    : reactor_(reactor), bgid_(bgid), count_(count), size_(size_bytes) {
  CHECK((count & (count - 1)) == 0 && count <= 32768);
  ring_bytes_ = sizeof(io_uring_buf) * count;
  void* mem =
      mmap(nullptr, ring_bytes_, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
  CHECK(mem != MAP_FAILED);
  ring_ = static_cast<io_uring_buf_ring*>(mem);
  io_uring_buf_ring_init(ring_);
  io_uring_buf_reg reg{};
  reg.ring_addr = reinterpret_cast<uint64_t>(ring_);
  reg.ring_entries = count;
  reg.bgid = bgid;
  int r = io_uring_register_buf_ring(reactor_.ring(), &reg, 0);
  if (r != 0) {
    LOG_ERROR("io_uring_register_buf_ring failed").KV("error", std::strerror(-r));
    CHECK(r == 0);
  }
  base_ = static_cast<char*>(std::aligned_alloc(4096, size_t(count) * size_));
  CHECK(base_ != nullptr);
  int mask = io_uring_buf_ring_mask(count);
  for (uint32_t i = 0; i < count; ++i) {
    io_uring_buf_ring_add(ring_, base_ + size_t(i) * size_, size_, uint16_t(i), mask, int(i));
  }
  io_uring_buf_ring_advance(ring_, int(count));
}

BufferRing::~BufferRing() {
  io_uring_unregister_buf_ring(reactor_.ring(), bgid_);
  munmap(ring_, ring_bytes_);
  std::free(base_);
}

void BufferRing::Recycle(uint16_t bid) {
  io_uring_buf_ring_add(ring_, base_ + size_t(bid) * size_, size_, bid,
                        io_uring_buf_ring_mask(count_), 0);
  io_uring_buf_ring_advance(ring_, 1);
}

}  // namespace asobi

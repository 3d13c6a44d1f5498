// SharedBuffer: an immutable, reference-counted byte buffer. Encoded once on one shard and
// handed to any number of connections on any shard (fan-out, ARCHITECTURE.md "Shards").
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string_view>
#include <utility>

namespace asobi {

/// Refcounted bytes. Copying shares the bytes (atomic increment); the bytes are freed when the
/// last copy is destroyed. Safe to copy and destroy on any thread; the bytes never change.
class SharedBuffer {
 public:
  SharedBuffer() = default;
  /// Copies `bytes` into a new buffer with refcount 1.
  static SharedBuffer Copy(std::string_view bytes) {
    SharedBuffer b = Allocate(bytes.size());
    if (!bytes.empty()) std::memcpy(b.mutable_data(), bytes.data(), bytes.size());
    return b;
  }
  /// A buffer of `size` bytes whose contents the caller fills through mutable_data() before
  /// sharing it.
  static SharedBuffer Allocate(size_t size) {
    void* mem = std::malloc(sizeof(Header) + size);
    if (mem == nullptr) throw std::bad_alloc();
    auto* h = new (mem) Header{};
    h->refs.store(1, std::memory_order_relaxed);
    h->size = size;
    return SharedBuffer(h);
  }

  SharedBuffer(const SharedBuffer& o) : h_(o.h_) {
    if (h_) h_->refs.fetch_add(1, std::memory_order_relaxed);
  }
  SharedBuffer(SharedBuffer&& o) noexcept : h_(std::exchange(o.h_, nullptr)) {}
  SharedBuffer& operator=(SharedBuffer o) noexcept {
    std::swap(h_, o.h_);
    return *this;
  }
  ~SharedBuffer() { Release(); }

  /// The bytes (null/0 for a default-constructed buffer). mutable_data() only before the buffer
  /// is shared (after Allocate, while the refcount is 1).
  const char* data() const { return h_ ? reinterpret_cast<const char*>(h_ + 1) : nullptr; }
  char* mutable_data() { return reinterpret_cast<char*>(h_ + 1); }
  size_t size() const { return h_ ? h_->size : 0; }
  bool empty() const { return size() == 0; }
  std::string_view view() const { return {data(), size()}; }

 private:
  struct Header {
    std::atomic<int32_t> refs;
    size_t size;
  };
  explicit SharedBuffer(Header* h) : h_(h) {}
  void Release() {
    if (h_ && h_->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      h_->~Header();
      std::free(h_);
    }
    h_ = nullptr;
  }
  Header* h_ = nullptr;
};

}  // namespace asobi

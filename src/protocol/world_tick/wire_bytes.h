// Internal to the binary world.tick codec: little-endian byte helpers and the field type tags
// of websocket.md §11.1.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace asobi::world_tick {

// Field value types (the high 3 bits of a field header byte). 6 and 7 are reserved.
inline constexpr uint8_t kTypeF32 = 0;
inline constexpr uint8_t kTypeI32 = 1;
inline constexpr uint8_t kTypeTrue = 2;
inline constexpr uint8_t kTypeFalse = 3;
inline constexpr uint8_t kTypeString = 4;
inline constexpr uint8_t kTypeNull = 5;

/// Appends the low byte of `v`.
inline void PutU8(std::string* out, unsigned v) { out->push_back(static_cast<char>(v & 0xFF)); }

/// Appends the low `bytes` bytes of `v`, least significant first.
inline void PutLe(std::string* out, uint64_t v, int bytes) {
  char b[8];
  for (int i = 0; i < bytes; ++i) b[i] = static_cast<char>((v >> (8 * i)) & 0xFF);
  out->append(b, static_cast<size_t>(bytes));
}

/// Bounds-checked little-endian reader over a byte string.
class ByteReader {
 public:
  /// Borrows `bytes`; they must outlive the reader.
  explicit ByteReader(std::string_view bytes) : bytes_(bytes) {}

  /// Reads `n` bytes (n <= 8) as a little-endian unsigned value; false when fewer are left.
  bool Le(int n, uint64_t* v) {
    if (remaining() < static_cast<size_t>(n)) return false;
    uint64_t r = 0;
    for (int i = 0; i < n; ++i) {
      r |= uint64_t{static_cast<unsigned char>(bytes_[pos_ + i])} << (8 * i);
    }
    pos_ += static_cast<size_t>(n);
    *v = r;
    return true;
  }
  /// Reads one byte; false at the end.
  bool U8(uint8_t* v) {
    uint64_t r;
    if (!Le(1, &r)) return false;
    *v = static_cast<uint8_t>(r);
    return true;
  }
  /// The next `n` bytes, borrowed; false when fewer are left.
  bool Bytes(size_t n, std::string_view* v) {
    if (remaining() < n) return false;
    *v = bytes_.substr(pos_, n);
    pos_ += n;
    return true;
  }
  /// Bytes left, and the read offset from the start.
  size_t remaining() const { return bytes_.size() - pos_; }
  size_t pos() const { return pos_; }

 private:
  std::string_view bytes_;
  size_t pos_ = 0;
};

}  // namespace asobi::world_tick

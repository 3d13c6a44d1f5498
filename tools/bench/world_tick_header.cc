#include "world_tick_header.h"

#include <cstring>

namespace asobi::bench {
namespace {

template <class T>
T Le(const unsigned char* p) {
  T v;
  std::memcpy(&v, p, sizeof v);  // the bench runs on little-endian hosts only (x86-64, arm64)
  return v;
}

}  // namespace

bool ParseBinaryTickHeader(std::string_view frame, BinaryTickHeader* h) {
  const auto* p = reinterpret_cast<const unsigned char*>(frame.data());
  size_t n = frame.size();
  if (n < 29) return false;
  h->kind = p[0];
  if (p[17] > 1 || (h->kind != 1 && h->kind != 2)) return false;
  h->zx = Le<int32_t>(p + 1);
  h->zy = Le<int32_t>(p + 5);
  h->frame_seq = Le<uint64_t>(p + 9);
  h->kf = p[17] == 1;
  h->tick = Le<uint64_t>(p + 18);
  uint8_t names = p[26];
  if (names > 32) return false;
  size_t at = 27;
  for (uint8_t i = 0; i < names; ++i) {
    if (at >= n) return false;
    at += 1 + size_t(p[at]);
  }
  if (at + 2 > n) return false;
  h->records = Le<uint16_t>(p + at);
  // Every record takes at least op + slot + gen + field_count = 5 bytes.
  return n - at - 2 >= size_t(h->records) * 5;
}

}  // namespace asobi::bench

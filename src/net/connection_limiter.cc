#include "net/connection_limiter.h"

#include <netinet/in.h>

#include <cstring>
#include <random>

namespace asobi {
namespace {

uint64_t Mix(uint64_t x) {  // splitmix64 finaliser
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

}  // namespace

ConnectionLimiter::ConnectionLimiter(const Options& options)
    : options_(options), counts_(std::make_unique<std::atomic<uint32_t>[]>(kRows * kWidth)) {
  std::random_device rd;
  for (uint64_t& s : seeds_) s = (uint64_t(rd()) << 32) ^ rd();
  for (size_t i = 0; i < kRows * kWidth; ++i) counts_[i].store(0, std::memory_order_relaxed);
}

uint64_t ConnectionLimiter::KeyOf(const sockaddr_storage& peer) {
  if (peer.ss_family == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&peer);
    return uint64_t(a->sin_addr.s_addr);  // network order; any fixed order will do
  }
  if (peer.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&peer);
    const uint8_t* b = a->sin6_addr.s6_addr;
    if (IN6_IS_ADDR_V4MAPPED(&a->sin6_addr)) {
      uint32_t v4;
      std::memcpy(&v4, b + 12, 4);
      return uint64_t(v4);
    }
    uint64_t prefix;
    std::memcpy(&prefix, b, 8);
    return prefix ^ (uint64_t(1) << 63);  // keep IPv6 keys apart from IPv4 ones
  }
  return ~uint64_t(0);  // unknown family: one shared bucket
}

size_t ConnectionLimiter::Cell(size_t row, uint64_t key) const {
  return row * kWidth + size_t(Mix(key ^ seeds_[row]) & (kWidth - 1));
}

ConnectionLimiter::Verdict ConnectionLimiter::TryAdmit(const sockaddr_storage& peer,
                                                       Ticket* ticket) {
  *ticket = Ticket{};
  int64_t n = total_.fetch_add(1, std::memory_order_relaxed) + 1;
  if (options_.node_max > 0 && n > options_.node_max) {
    total_.fetch_sub(1, std::memory_order_relaxed);
    return Verdict::kRefusedNode;
  }
  const uint64_t key = KeyOf(peer);
  // A trusted proxy carries many clients: only the node cap applies to it.
  const bool per_ip = options_.per_ip_max > 0 && !options_.per_ip_exempt.Contains(peer);
  if (per_ip) {
    uint32_t estimate = UINT32_MAX;
    for (size_t row = 0; row < kRows; ++row) {
      uint32_t v = counts_[Cell(row, key)].fetch_add(1, std::memory_order_relaxed) + 1;
      if (v < estimate) estimate = v;
    }
    if (int64_t(estimate) > options_.per_ip_max) {
      for (size_t row = 0; row < kRows; ++row) {
        counts_[Cell(row, key)].fetch_sub(1, std::memory_order_relaxed);
      }
      total_.fetch_sub(1, std::memory_order_relaxed);
      return Verdict::kRefusedPerIp;
    }
  }
  ticket->key = key;
  ticket->held = true;
  ticket->per_ip = per_ip;
  return Verdict::kAdmitted;
}

void ConnectionLimiter::Release(Ticket* ticket) {
  if (!ticket->held) return;
  ticket->held = false;
  if (ticket->per_ip) {
    for (size_t row = 0; row < kRows; ++row) {
      counts_[Cell(row, ticket->key)].fetch_sub(1, std::memory_order_relaxed);
    }
  }
  total_.fetch_sub(1, std::memory_order_relaxed);
}

uint32_t ConnectionLimiter::Estimate(const sockaddr_storage& peer) const {
  const uint64_t key = KeyOf(peer);
  uint32_t estimate = UINT32_MAX;
  for (size_t row = 0; row < kRows; ++row) {
    uint32_t v = counts_[Cell(row, key)].load(std::memory_order_relaxed);
    if (v < estimate) estimate = v;
  }
  return estimate;
}

}  // namespace asobi

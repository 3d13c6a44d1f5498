// TrustedProxies: the reverse proxies / load balancers whose `X-Forwarded-For` this node
// believes (docs/deploy.md "Per-address limits behind a proxy"; docs/decisions.md "Client
// addresses behind a proxy"). Behind HAProxy every TCP connection comes from the proxy, so the
// per-address limits (rate-limit groups keyed by address, WebSocket upgrades per address, the
// accept-time connection cap) would put all players in one bucket.
//
// With `--trusted-proxies 10.0.0.2/32,fd00::/8` (ASOBI_TRUSTED_PROXIES):
//   - a request whose TCP peer is trusted is attributed to the rightmost `X-Forwarded-For`
//     address that is not itself trusted (ClientIp); an absent, empty or malformed header
//     leaves the peer's own address (never a guess);
//   - connections from a trusted peer are exempt from the accept-time per-address cap (the
//     node cap still applies), since one proxy carries many players.
// Unset (the default) nothing changes: `X-Forwarded-For` is ignored.
//
// Immutable after Parse; read from any thread (no locks, no allocation per lookup).
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace asobi {

class TrustedProxies {
 public:
  /// Nothing trusted.
  TrustedProxies() = default;

  /// Parses a comma-separated list of IPv4/IPv6 addresses or CIDR blocks (`10.0.0.0/8`,
  /// `::1`, `fd00::/8`; spaces around items allowed; at most 256 items). Errors: "bad_flag"
  /// naming the offending item (not an address, prefix out of range, too many items).
  static Result<TrustedProxies> Parse(std::string_view list);

  /// True when no proxy is trusted.
  bool empty() const { return nets_.empty(); }
  /// Whether the textual address `ip` (as inet_ntop writes it) is in a trusted block. IPv4-
  /// mapped IPv6 (`::ffff:a.b.c.d`) counts as the IPv4 address. Unparseable: false.
  bool Contains(std::string_view ip) const;
  /// The same for a socket address (the accept path).
  bool Contains(const sockaddr_storage& peer) const;

  /// The client address of a request that came from `peer_ip` with the `X-Forwarded-For`
  /// value `forwarded_for` (every such header line joined by ", " in wire order; empty =
  /// absent). Returns `peer_ip` unless the peer is trusted and the header names an
  /// untrusted address; then the rightmost untrusted entry, normalised by inet_ntop. Any
  /// malformed entry met while walking from the right makes the header ignored (peer_ip).
  std::string ClientIp(std::string_view peer_ip, std::string_view forwarded_for) const;

 private:
  struct Net {
    std::array<uint8_t, 16> addr{};  // IPv4 as IPv4-mapped IPv6
    int prefix = 128;                // bits of addr that must match
  };
  bool Matches(const std::array<uint8_t, 16>& addr) const;

  std::vector<Net> nets_;
};

/// Parses `text` as an IPv4 or IPv6 address into the IPv4-mapped IPv6 form; false when it is
/// neither (exposed for the fuzz target and tests).
bool ParseIpMapped(std::string_view text, std::array<uint8_t, 16>* out);

}  // namespace asobi

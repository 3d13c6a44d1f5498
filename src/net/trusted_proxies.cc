#include "net/trusted_proxies.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace asobi {
namespace {

constexpr size_t kMaxItems = 256;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::array<uint8_t, 16> MapV4(const in_addr& a) {
  std::array<uint8_t, 16> out{};
  out[10] = 0xff;
  out[11] = 0xff;
  std::memcpy(out.data() + 12, &a, 4);
  return out;
}

bool IsMappedV4(const std::array<uint8_t, 16>& a) {
  for (int i = 0; i < 10; ++i) {
    if (a[i] != 0) return false;
  }
  return a[10] == 0xff && a[11] == 0xff;
}

std::string Format(const std::array<uint8_t, 16>& a) {
  char buf[INET6_ADDRSTRLEN] = {0};
  if (IsMappedV4(a)) {
    inet_ntop(AF_INET, a.data() + 12, buf, sizeof buf);
  } else {
    inet_ntop(AF_INET6, a.data(), buf, sizeof buf);
  }
  return buf;
}

}  // namespace

bool ParseIpMapped(std::string_view text, std::array<uint8_t, 16>* out) {
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return false;
  char buf[INET6_ADDRSTRLEN];
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  in_addr v4;
  if (inet_pton(AF_INET, buf, &v4) == 1) {
    *out = MapV4(v4);
    return true;
  }
  in6_addr v6;
  if (inet_pton(AF_INET6, buf, &v6) == 1) {
    std::memcpy(out->data(), &v6, 16);
    return true;
  }
  return false;
}

Result<TrustedProxies> TrustedProxies::Parse(std::string_view list) {
  TrustedProxies t;
  while (!list.empty()) {
    size_t comma = list.find(',');
    std::string_view item = Trim(list.substr(0, comma));
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    if (item.empty()) continue;
    if (t.nets_.size() >= kMaxItems) {
      return MakeError("bad_flag", "trusted proxies: more than 256 items");
    }
    std::string_view addr = item;
    int prefix = -1;
    if (size_t slash = item.find('/'); slash != std::string_view::npos) {
      addr = item.substr(0, slash);
      std::string_view bits = item.substr(slash + 1);
      auto [p, ec] = std::from_chars(bits.data(), bits.data() + bits.size(), prefix);
      if (ec != std::errc() || p != bits.data() + bits.size() || bits.empty() || prefix < 0) {
        return MakeError("bad_flag", "trusted proxies: bad prefix in " + std::string(item));
      }
    }
    Net n;
    if (!ParseIpMapped(addr, &n.addr)) {
      return MakeError("bad_flag", "trusted proxies: not an address: " + std::string(item));
    }
    bool v4 = addr.find(':') == std::string_view::npos;
    int max = v4 ? 32 : 128;
    if (prefix < 0) prefix = max;
    if (prefix > max) {
      return MakeError("bad_flag", "trusted proxies: prefix out of range in " + std::string(item));
    }
    n.prefix = v4 ? prefix + 96 : prefix;
    t.nets_.push_back(n);
  }
  return t;
}

bool TrustedProxies::Matches(const std::array<uint8_t, 16>& addr) const {
  for (const Net& n : nets_) {
    int full = n.prefix / 8, rest = n.prefix % 8;
    if (std::memcmp(addr.data(), n.addr.data(), size_t(full)) != 0) continue;
    if (rest != 0) {
      uint8_t mask = uint8_t(0xff << (8 - rest));
      if ((addr[size_t(full)] & mask) != (n.addr[size_t(full)] & mask)) continue;
    }
    return true;
  }
  return false;
}

bool TrustedProxies::Contains(std::string_view ip) const {
  if (nets_.empty()) return false;
  std::array<uint8_t, 16> a;
  return ParseIpMapped(ip, &a) && Matches(a);
}

bool TrustedProxies::Contains(const sockaddr_storage& peer) const {
  if (nets_.empty()) return false;
  if (peer.ss_family == AF_INET) {
    return Matches(MapV4(reinterpret_cast<const sockaddr_in*>(&peer)->sin_addr));
  }
  if (peer.ss_family == AF_INET6) {
    std::array<uint8_t, 16> a;
    std::memcpy(a.data(), &reinterpret_cast<const sockaddr_in6*>(&peer)->sin6_addr, 16);
    return Matches(a);
  }
  return false;
}

std::string TrustedProxies::ClientIp(std::string_view peer_ip,
                                     std::string_view forwarded_for) const {
  if (nets_.empty() || forwarded_for.empty() || !Contains(peer_ip)) return std::string(peer_ip);
  // Walk from the right: each hop appended the address it saw; the first one that is not a
  // trusted proxy is the client as far as trusted hops can vouch for.
  std::string_view rest = forwarded_for;
  while (!rest.empty()) {
    size_t comma = rest.rfind(',');
    std::string_view item = Trim(comma == std::string_view::npos ? rest : rest.substr(comma + 1));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(0, comma);
    std::array<uint8_t, 16> a;
    if (!ParseIpMapped(item, &a)) return std::string(peer_ip);
    if (!Matches(a)) return Format(a);
  }
  return std::string(peer_ip);  // every hop trusted: the leftmost proxy is the client
}

}  // namespace asobi

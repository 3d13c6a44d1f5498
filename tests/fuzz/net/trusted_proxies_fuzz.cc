// Fuzzes the X-Forwarded-For resolution (net/trusted_proxies.h) and the trusted-proxy list
// parser. The input is split at its first newline: the part before is parsed as a
// --trusted-proxies list, the rest is an X-Forwarded-For value. Whatever the bytes, the answer
// is the peer itself or an address that parses and is not trusted.
#include <array>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "net/trusted_proxies.h"

namespace {
void Require(bool cond) {
  if (!cond) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  size_t nl = in.find('\n');
  std::string_view list =
      nl == std::string_view::npos ? std::string_view("127.0.0.1/8,::1") : in.substr(0, nl);
  std::string_view xff = nl == std::string_view::npos ? in : in.substr(nl + 1);
  asobi::Result<asobi::TrustedProxies> parsed = asobi::TrustedProxies::Parse(list);
  asobi::TrustedProxies trusted;
  if (parsed.ok()) trusted = std::move(parsed.value());
  for (std::string_view peer : {"127.0.0.1", "10.1.2.3", "::1"}) {
    std::string ip = trusted.ClientIp(peer, xff);
    if (ip == peer) continue;
    std::array<uint8_t, 16> a;
    Require(asobi::ParseIpMapped(ip, &a));
    Require(trusted.Contains(peer));
    Require(!trusted.Contains(ip));
  }
  std::array<uint8_t, 16> a;
  (void)asobi::ParseIpMapped(xff, &a);
  return 0;
}

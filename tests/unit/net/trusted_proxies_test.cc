// TrustedProxies (net/trusted_proxies.h): list parsing, membership, and which address a
// request with X-Forwarded-For is attributed to.
#include "net/trusted_proxies.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <cstring>

namespace asobi {
namespace {

TrustedProxies Make(std::string_view list) {
  Result<TrustedProxies> t = TrustedProxies::Parse(list);
  EXPECT_TRUE(t.ok()) << list;
  return t.ok() ? std::move(t.value()) : TrustedProxies();
}

TEST(TrustedProxiesTest, ParsesAddressesAndBlocks) {
  TrustedProxies t = Make(" 10.0.0.0/8 , 192.168.1.7,fd00::/8, ::1 ");
  EXPECT_TRUE(t.Contains("10.255.0.1"));
  EXPECT_TRUE(t.Contains("192.168.1.7"));
  EXPECT_FALSE(t.Contains("192.168.1.8"));
  EXPECT_TRUE(t.Contains("fd12:3456::1"));
  EXPECT_TRUE(t.Contains("::1"));
  EXPECT_FALSE(t.Contains("11.0.0.1"));
  EXPECT_FALSE(t.Contains("fe80::1"));
  EXPECT_TRUE(t.Contains("::ffff:10.1.1.1"));  // IPv4-mapped counts as IPv4
  EXPECT_FALSE(t.Contains("garbage"));
  EXPECT_TRUE(Make("").empty());
  EXPECT_TRUE(Make("0.0.0.0/0").Contains("203.0.113.9"));
  EXPECT_FALSE(Make("0.0.0.0/0").Contains("2001:db8::1"));
  EXPECT_TRUE(Make("10.0.0.0/9").Contains("10.127.0.1"));
  EXPECT_FALSE(Make("10.0.0.0/9").Contains("10.128.0.1"));
}

TEST(TrustedProxiesTest, RefusesMalformedLists) {
  for (std::string_view bad : {"10.0.0.0/33", "::/129", "10.0.0.1/", "10.0.0.1/x", "10.0.0.1/-1",
                               "hostname", "10.0.0.256", "10.0.0.1/8/9", "1.2.3.4 5"}) {
    Result<TrustedProxies> t = TrustedProxies::Parse(bad);
    ASSERT_FALSE(t.ok()) << bad;
    EXPECT_EQ(t.error().reason, "bad_flag") << bad;
  }
  std::string many;
  for (int i = 0; i < 257; ++i) many += "10.0.0." + std::to_string(i % 250) + ",";
  EXPECT_FALSE(TrustedProxies::Parse(many).ok());
}

TEST(TrustedProxiesTest, ClientIsTheRightmostUntrustedHop) {
  TrustedProxies t = Make("10.0.0.0/8");
  // Through one trusted proxy.
  EXPECT_EQ(t.ClientIp("10.0.0.2", "203.0.113.7"), "203.0.113.7");
  // A client-supplied (spoofed) entry on the left is not believed.
  EXPECT_EQ(t.ClientIp("10.0.0.2", "1.1.1.1, 203.0.113.7"), "203.0.113.7");
  // Two trusted hops.
  EXPECT_EQ(t.ClientIp("10.0.0.2", "203.0.113.7, 10.0.0.9"), "203.0.113.7");
  // Normalised, IPv6 too.
  EXPECT_EQ(t.ClientIp("10.0.0.2", "2001:DB8:0:0::1"), "2001:db8::1");
  EXPECT_EQ(t.ClientIp("10.0.0.2", "::ffff:198.51.100.1"), "198.51.100.1");
}

TEST(TrustedProxiesTest, UntrustedPeersAndBadHeadersKeepThePeer) {
  TrustedProxies t = Make("10.0.0.0/8");
  EXPECT_EQ(t.ClientIp("203.0.113.7", "1.2.3.4"), "203.0.113.7");  // peer not trusted
  EXPECT_EQ(t.ClientIp("10.0.0.2", ""), "10.0.0.2");
  EXPECT_EQ(t.ClientIp("10.0.0.2", "1.2.3.4, garbage"), "10.0.0.2");
  EXPECT_EQ(t.ClientIp("10.0.0.2", "1.2.3.4:5678"), "10.0.0.2");  // ports are not addresses
  EXPECT_EQ(t.ClientIp("10.0.0.2", ","), "10.0.0.2");
  EXPECT_EQ(t.ClientIp("10.0.0.2", "10.0.0.3, 10.0.0.4"), "10.0.0.2");      // only proxies
  EXPECT_EQ(TrustedProxies().ClientIp("10.0.0.2", "1.2.3.4"), "10.0.0.2");  // none trusted
}

TEST(TrustedProxiesTest, SocketAddresses) {
  TrustedProxies t = Make("127.0.0.0/8,::1");
  sockaddr_storage ss{};
  auto* v4 = reinterpret_cast<sockaddr_in*>(&ss);
  v4->sin_family = AF_INET;
  inet_pton(AF_INET, "127.0.0.5", &v4->sin_addr);
  EXPECT_TRUE(t.Contains(ss));
  inet_pton(AF_INET, "128.0.0.5", &v4->sin_addr);
  EXPECT_FALSE(t.Contains(ss));
  sockaddr_storage ss6{};
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&ss6);
  v6->sin6_family = AF_INET6;
  inet_pton(AF_INET6, "::1", &v6->sin6_addr);
  EXPECT_TRUE(t.Contains(ss6));
}

}  // namespace
}  // namespace asobi

// ConnectionLimiter: per-address and node-wide caps (issue 10 defect 4).
#include "net/connection_limiter.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>

#include <atomic>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace asobi {
namespace {

using Verdict = ConnectionLimiter::Verdict;

sockaddr_storage V4(const std::string& ip) {
  sockaddr_storage ss{};
  auto* a = reinterpret_cast<sockaddr_in*>(&ss);
  a->sin_family = AF_INET;
  EXPECT_EQ(inet_pton(AF_INET, ip.c_str(), &a->sin_addr), 1);
  return ss;
}

sockaddr_storage V6(const std::string& ip) {
  sockaddr_storage ss{};
  auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
  a->sin6_family = AF_INET6;
  EXPECT_EQ(inet_pton(AF_INET6, ip.c_str(), &a->sin6_addr), 1);
  return ss;
}

TEST(ConnectionLimiterTest, PerAddressCapRefusesBeyondItAndOthersStillGetIn) {
  ConnectionLimiter lim({.per_ip_max = 3, .node_max = 0, .per_ip_exempt = {}});
  std::vector<ConnectionLimiter::Ticket> held(3);
  for (auto& t : held) EXPECT_EQ(lim.TryAdmit(V4("10.0.0.1"), &t), Verdict::kAdmitted);
  ConnectionLimiter::Ticket refused;
  EXPECT_EQ(lim.TryAdmit(V4("10.0.0.1"), &refused), Verdict::kRefusedPerIp);
  EXPECT_FALSE(refused.held);
  EXPECT_EQ(lim.Estimate(V4("10.0.0.1")), 3u);  // the refusal left no trace
  ConnectionLimiter::Ticket other;
  EXPECT_EQ(lim.TryAdmit(V4("10.0.0.2"), &other), Verdict::kAdmitted);
  EXPECT_EQ(lim.total(), 4);
  lim.Release(&held[0]);
  lim.Release(&held[0]);  // idempotent
  EXPECT_EQ(lim.Estimate(V4("10.0.0.1")), 2u);
  ConnectionLimiter::Ticket again;
  EXPECT_EQ(lim.TryAdmit(V4("10.0.0.1"), &again), Verdict::kAdmitted);
  EXPECT_EQ(lim.total(), 4);
}

// A trusted proxy carries many players: the per-address cap does not apply to it, the node
// cap does, and releasing its tickets leaves the per-address counters untouched.
TEST(ConnectionLimiterTest, TrustedProxiesAreExemptFromThePerAddressCapOnly) {
  ConnectionLimiter::Options o{.per_ip_max = 1, .node_max = 3, .per_ip_exempt = {}};
  o.per_ip_exempt = TrustedProxies::Parse("10.0.0.2").value();
  ConnectionLimiter lim(o);
  std::vector<ConnectionLimiter::Ticket> held(3);
  for (auto& t : held) EXPECT_EQ(lim.TryAdmit(V4("10.0.0.2"), &t), Verdict::kAdmitted);
  EXPECT_EQ(lim.Estimate(V4("10.0.0.2")), 0u);
  ConnectionLimiter::Ticket over;
  EXPECT_EQ(lim.TryAdmit(V4("10.0.0.2"), &over), Verdict::kRefusedNode);
  lim.Release(&held[0]);
  ConnectionLimiter::Ticket direct, second;
  EXPECT_EQ(lim.TryAdmit(V4("10.0.0.9"), &direct), Verdict::kAdmitted);
  lim.Release(&held[1]);
  EXPECT_EQ(lim.TryAdmit(V4("10.0.0.9"), &second), Verdict::kRefusedPerIp);  // not exempt
  EXPECT_EQ(lim.Estimate(V4("10.0.0.9")), 1u);
}

TEST(ConnectionLimiterTest, NodeCapRefusesEveryAddressOnceFull) {
  ConnectionLimiter lim({.per_ip_max = 100, .node_max = 2, .per_ip_exempt = {}});
  ConnectionLimiter::Ticket a, b, c;
  EXPECT_EQ(lim.TryAdmit(V4("10.0.0.1"), &a), Verdict::kAdmitted);
  EXPECT_EQ(lim.TryAdmit(V4("10.0.0.2"), &b), Verdict::kAdmitted);
  EXPECT_EQ(lim.TryAdmit(V4("10.0.0.3"), &c), Verdict::kRefusedNode);
  EXPECT_EQ(lim.total(), 2);
  EXPECT_EQ(lim.Estimate(V4("10.0.0.3")), 0u);
  lim.Release(&a);
  EXPECT_EQ(lim.TryAdmit(V4("10.0.0.3"), &c), Verdict::kAdmitted);
}

TEST(ConnectionLimiterTest, ZeroMeansNoCap) {
  ConnectionLimiter lim({.per_ip_max = 0, .node_max = 0, .per_ip_exempt = {}});
  std::vector<ConnectionLimiter::Ticket> t(1000);
  for (auto& x : t) ASSERT_EQ(lim.TryAdmit(V4("10.0.0.1"), &x), Verdict::kAdmitted);
  EXPECT_EQ(lim.total(), 1000);
  for (auto& x : t) lim.Release(&x);
  EXPECT_EQ(lim.total(), 0);
}

TEST(ConnectionLimiterTest, Ipv6CountsPerSlash64AndMappedIpv4AsIpv4) {
  ConnectionLimiter lim({.per_ip_max = 2, .node_max = 0, .per_ip_exempt = {}});
  ConnectionLimiter::Ticket t1, t2, t3, t4;
  EXPECT_EQ(lim.TryAdmit(V6("2001:db8:1:2::1"), &t1), Verdict::kAdmitted);
  EXPECT_EQ(lim.TryAdmit(V6("2001:db8:1:2:ffff::9"), &t2), Verdict::kAdmitted);
  EXPECT_EQ(lim.TryAdmit(V6("2001:db8:1:2::abcd"), &t3), Verdict::kRefusedPerIp);
  EXPECT_EQ(lim.TryAdmit(V6("2001:db8:1:3::1"), &t3), Verdict::kAdmitted);  // other /64
  EXPECT_EQ(ConnectionLimiter::KeyOf(V6("::ffff:192.0.2.7")),
            ConnectionLimiter::KeyOf(V4("192.0.2.7")));
  EXPECT_NE(ConnectionLimiter::KeyOf(V6("c000:207::")), ConnectionLimiter::KeyOf(V4("192.0.2.7")));
  EXPECT_EQ(lim.TryAdmit(V4("192.0.2.7"), &t4), Verdict::kAdmitted);
}

// Collisions only make the cap stricter: with many other addresses holding connections, an
// address still gets exactly its cap (never more), and the estimate never undercounts.
TEST(ConnectionLimiterTest, CrowdedSketchNeverAdmitsMoreThanTheCap) {
  ConnectionLimiter lim({.per_ip_max = 4, .node_max = 0, .per_ip_exempt = {}});
  std::vector<ConnectionLimiter::Ticket> crowd(50000);
  for (size_t i = 0; i < crowd.size(); ++i) {
    std::string ip = "10." + std::to_string(i >> 16) + "." + std::to_string((i >> 8) & 255) + "." +
                     std::to_string(i & 255);
    ASSERT_NE(lim.TryAdmit(V4(ip), &crowd[i]), Verdict::kRefusedNode);
  }
  int admitted = 0;
  std::vector<ConnectionLimiter::Ticket> mine(10);
  for (auto& t : mine) admitted += lim.TryAdmit(V4("192.0.2.1"), &t) == Verdict::kAdmitted;
  EXPECT_LE(admitted, 4);
  EXPECT_GE(lim.Estimate(V4("192.0.2.1")), uint32_t(admitted));
  for (auto& t : crowd) lim.Release(&t);
  for (auto& t : mine) lim.Release(&t);
  EXPECT_EQ(lim.total(), 0);
  EXPECT_EQ(lim.Estimate(V4("192.0.2.1")), 0u);
}

TEST(ConnectionLimiterTest, ConcurrentAdmitsAndReleasesBalanceToZero) {
  ConnectionLimiter lim({.per_ip_max = 8, .node_max = 1000, .per_ip_exempt = {}});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&lim, t] {
      std::vector<ConnectionLimiter::Ticket> held;
      for (int i = 0; i < 20000; ++i) {
        ConnectionLimiter::Ticket tk;
        std::string ip = "10.1.0." + std::to_string((i * 7 + t) % 16);
        if (lim.TryAdmit(V4(ip), &tk) == Verdict::kAdmitted) held.push_back(tk);
        if (held.size() > 20 || (i % 3 == 0 && !held.empty())) {
          lim.Release(&held.back());
          held.pop_back();
        }
      }
      for (auto& h : held) lim.Release(&h);
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(lim.total(), 0);
  for (int i = 0; i < 16; ++i) EXPECT_EQ(lim.Estimate(V4("10.1.0." + std::to_string(i))), 0u);
}

}  // namespace
}  // namespace asobi

// Config flags owned by the transport: shard clamp, send-queue range, connection caps.
#include "server/config.h"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <string>
#include <vector>

namespace asobi {
namespace {

Result<Config> Parse(std::vector<std::string> args) {
  std::vector<char*> argv;
  static std::string prog = "asobi";
  argv.push_back(prog.data());
  for (std::string& a : args) argv.push_back(a.data());
  bool help = false;
  return ParseConfig(int(argv.size()), argv.data(), &help);
}

TEST(ConfigTest, ShardsAreClampedToTheDocumentedMaximum) {
  EXPECT_TRUE(Parse({"--shards", "256"}).ok());
  EXPECT_FALSE(Parse({"--shards", "257"}).ok());
  Config c;
  c.shards = 0;  // one per online core, never above the maximum
  EXPECT_GE(ResolvedShardCount(c), 1);
  EXPECT_LE(ResolvedShardCount(c), kMaxShards);
  c.shards = 3;
  EXPECT_EQ(ResolvedShardCount(c), 3);
}

// Issue 10: values whose uint32 send-queue offsets wrap (4 GiB) used to be accepted.
TEST(ConfigTest, SendQueueBytesMustFitTheQueueOffsets) {
  EXPECT_FALSE(Parse({"--send-queue-bytes", "4294967296"}).ok());
  EXPECT_FALSE(Parse({"--send-queue-bytes", "1073741825"}).ok());
  EXPECT_FALSE(Parse({"--send-queue-bytes", "4095"}).ok());
  Result<Config> c = Parse({"--send-queue-bytes", "1073741824"});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->send_queue_bytes_max, size_t(1) << 30);
}

TEST(ConfigTest, ConnectionCapsAndCloseTimeout) {
  Result<Config> d = Parse({});
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->conn_per_ip_max, 256);
  EXPECT_EQ(d->conn_max, 0);
  EXPECT_EQ(d->close_timeout_ms, 10000);
  Result<Config> c =
      Parse({"--conn-per-ip-max", "0", "--conn-max", "5000", "--close-timeout-ms=2500"});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->conn_per_ip_max, 0);
  EXPECT_EQ(ResolvedConnMax(*c), 5000);
  EXPECT_EQ(c->close_timeout_ms, 2500);
  EXPECT_FALSE(Parse({"--conn-per-ip-max", "-1"}).ok());
  EXPECT_FALSE(Parse({"--close-timeout-ms", "0"}).ok());
}

// Accepts per reactor turn: 32 by default, 0 (multishot, no bound) up to 4096.
TEST(ConfigTest, AcceptsPerTurn) {
  Result<Config> d = Parse({});
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->accepts_per_turn, 32);
  Result<Config> off = Parse({"--accepts-per-turn", "0"});
  ASSERT_TRUE(off.ok());
  EXPECT_EQ(off->accepts_per_turn, 0);
  Result<Config> max = Parse({"--accepts-per-turn=4096"});
  ASSERT_TRUE(max.ok());
  EXPECT_EQ(max->accepts_per_turn, 4096);
  EXPECT_FALSE(Parse({"--accepts-per-turn", "4097"}).ok());
  EXPECT_FALSE(Parse({"--accepts-per-turn", "-1"}).ok());
}

TEST(ConfigTest, AutomaticNodeCapLeavesDescriptorsForTheServer) {
  rlimit rl{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &rl), 0);
  Config c;
  int64_t cap = ResolvedConnMax(c);
  EXPECT_GE(cap, 1);
  if (rl.rlim_cur != RLIM_INFINITY) {
    EXPECT_LT(cap, int64_t(rl.rlim_cur));
    EXPECT_GE(cap, int64_t(rl.rlim_cur) - 1024);
  }
}

// websocket.md §11: the binary world.tick wire is granted only when the server enables it.
// docs/decisions.md "Seat claims": the lease is 1 s .. 1 h (heartbeat every lease / 5).
TEST(ConfigTest, ClusterSeatLeaseIsBounded) {
  Result<Config> d = Parse({});
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->cluster_seat_lease_ms, 10000);
  EXPECT_FALSE(Parse({"--cluster-seat-lease-ms", "999"}).ok());
  EXPECT_FALSE(Parse({"--cluster-seat-lease-ms", "3600001"}).ok());
  Result<Config> c = Parse({"--cluster-seat-lease-ms", "1000"});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->cluster_seat_lease_ms, 1000);
}

TEST(ConfigTest, BinaryWireIsOffUnlessEnabled) {
  Result<Config> d = Parse({});
  ASSERT_TRUE(d.ok());
  EXPECT_FALSE(d->binary_wire);
  Result<Config> on = Parse({"--binary-wire"});
  ASSERT_TRUE(on.ok());
  EXPECT_TRUE(on->binary_wire);
  ASSERT_EQ(setenv("ASOBI_BINARY_WIRE", "true", 1), 0);
  Result<Config> env = Parse({});
  ASSERT_EQ(setenv("ASOBI_BINARY_WIRE", "0", 1), 0);
  Result<Config> env_off = Parse({});
  unsetenv("ASOBI_BINARY_WIRE");
  ASSERT_TRUE(env.ok() && env_off.ok());
  EXPECT_TRUE(env->binary_wire);
  EXPECT_FALSE(env_off->binary_wire);
}

}  // namespace
}  // namespace asobi

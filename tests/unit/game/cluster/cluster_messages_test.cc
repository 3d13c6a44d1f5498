// The cluster bus payloads (issue 16): deliver/presence lines, auth events and node
// announcements parse what the encoders write and refuse every malformed shape.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cluster/bus.h"
#include "cluster/membership.h"
#include "game/auth/cluster_auth.h"
#include "game/directory/cluster_directory.h"

namespace asobi {
namespace {

using cluster_directory::Message;
using Kind = AccountService::ClusterEvent;

TEST(ClusterMessages, DeliverAndPresenceRoundTrip) {
  Message m;
  std::string d = cluster_directory::EncodeDeliver("node_a", "p1", R"({"type":"x"})");
  ASSERT_TRUE(cluster_directory::Parse(d, &m));
  EXPECT_EQ(m.kind, 'D');
  EXPECT_EQ(m.from, "node_a");
  EXPECT_EQ(m.player, "p1");
  EXPECT_EQ(m.body, R"({"type":"x"})");
  std::string frame_with_newlines = "{\n\"type\":\"x\"\n}";
  ASSERT_TRUE(cluster_directory::Parse(
      cluster_directory::EncodeDeliver("n", "p", frame_with_newlines), &m));
  EXPECT_EQ(m.body, frame_with_newlines);
  ASSERT_TRUE(cluster_directory::Parse(cluster_directory::EncodePresence("n", "p", false), &m));
  EXPECT_EQ(m.kind, 'P');
  EXPECT_EQ(m.body, "0");
}

TEST(ClusterMessages, MalformedDirectoryMessagesAreRefused) {
  Message m;
  for (const std::string& bad :
       std::vector<std::string>{"", "D", "D1", "D1\n", "D2\nn\np\n{}", "X1\nn\np\n{}", "D1\nn\np\n",
                                "D1\nn\np\nnot{", "D1\nbad node\np\n{}", "D1\n\np\n{}",
                                "D1\nn\n\n{}", "D1\nn\n" + std::string(129, 'p') + "\n{}",
                                "P1\nn\np\n2", "P1\nn\np\n", "P1\nn\np\n1\n", "D1\nn.x\np\n{}"}) {
    EXPECT_FALSE(cluster_directory::Parse(bad, &m)) << bad;
  }
}

TEST(ClusterMessages, AuthEventsRoundTripAndRefuseBadShapes) {
  cluster_auth::AuthEvent e;
  ASSERT_TRUE(cluster_auth::ParseAuthEvent(
      cluster_auth::EncodeAuthEvent("node_a", Kind::kBurnTokens, "", {"h1", "h2"}), &e));
  EXPECT_EQ(e.from, "node_a");
  EXPECT_EQ(e.kind, Kind::kBurnTokens);
  EXPECT_EQ(e.tokens, (std::vector<std::string>{"h1", "h2"}));
  ASSERT_TRUE(cluster_auth::ParseAuthEvent(
      cluster_auth::EncodeAuthEvent("node_a", Kind::kRevokeSessions, "p9", {}), &e));
  EXPECT_EQ(e.kind, Kind::kRevokeSessions);
  EXPECT_EQ(e.player, "p9");
  std::string many = R"({"from":"n","op":"burn","tokens":[)";
  for (size_t i = 0; i <= cluster_auth::kMaxTokensPerEvent; ++i) many += (i ? ",\"t\"" : "\"t\"");
  many += "]}";
  for (const std::string& bad : std::vector<std::string>{
           "", "[]", "null", R"({"op":"evict","player":"p"})", R"({"from":"n","op":"evict"})",
           R"({"from":"n","op":"evict","player":""})", R"({"from":"n","op":"evict","player":1})",
           R"({"from":"n","op":"nuke","player":"p"})", R"({"from":"n","op":"burn","tokens":[]})",
           R"({"from":"n","op":"burn","tokens":[1]})", R"({"from":"n","op":"burn","tokens":"t"})",
           R"({"from":"a b","op":"evict","player":"p"})", many}) {
    EXPECT_FALSE(cluster_auth::ParseAuthEvent(bad, &e)) << bad;
  }
}

TEST(ClusterMessages, AnnouncementsParseAndRefuseBadShapes) {
  cluster::NodeInfo info;
  bool leaving = true;
  ASSERT_TRUE(cluster::Membership::ParseAnnouncement(
      R"({"node":"node_b","address":"10.0.0.2:8080","load":12})", &info, &leaving));
  EXPECT_EQ(info.node_id, "node_b");
  EXPECT_EQ(info.address, "10.0.0.2:8080");
  EXPECT_EQ(info.load, 12);
  EXPECT_FALSE(leaving);
  ASSERT_TRUE(cluster::Membership::ParseAnnouncement(
      R"({"node":"node_b","address":"","load":0,"leaving":true})", &info, &leaving));
  EXPECT_TRUE(leaving);
  for (const char* bad :
       {"", "{}", R"({"node":"","address":"a","load":1})", R"({"node":"n","load":1})",
        R"({"node":"n","address":"a","load":-1})", R"({"node":"n","address":"a","load":"1"})",
        R"({"node":"n/x","address":"a","load":1})",
        R"({"node":"n","address":"a","load":1,"leaving":"yes"})"}) {
    EXPECT_FALSE(cluster::Membership::ParseAnnouncement(bad, &info, &leaving)) << bad;
  }
}

TEST(ClusterMessages, NodeIdsAreSubjectTokens) {
  EXPECT_TRUE(cluster::Bus::ValidToken("node-1_a"));
  EXPECT_FALSE(cluster::Bus::ValidToken(""));
  EXPECT_FALSE(cluster::Bus::ValidToken("a.b"));
  EXPECT_FALSE(cluster::Bus::ValidToken("a*"));
  EXPECT_FALSE(cluster::Bus::ValidToken(std::string(65, 'a')));
}

}  // namespace
}  // namespace asobi

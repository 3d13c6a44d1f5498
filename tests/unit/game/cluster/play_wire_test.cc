// Cross-node matchmaking and proxied players (issue 16 item 4): the `Q1` bus lines parse what
// Encode writes and refuse every malformed shape; frame helpers; remote entries of
// ClientMatches (the socket -> remote match binding).
#include "game/cluster_play/play_wire.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cluster/membership.h"
#include "game/cluster_play/proxy_client.h"
#include "game/match/client_matches.h"

namespace asobi {
namespace {

using cluster_play::Encode;
using cluster_play::Message;
using cluster_play::Parse;

TEST(ClusterPlayWire, AddRoundTrip) {
  std::string a = Encode('A', "n2", {"0.7", "p1", "demo", "1250.5", "1500"}, R"({"skill":1250.5})");
  Message m;
  ASSERT_TRUE(Parse(a, &m));
  EXPECT_EQ(m.kind, 'A');
  EXPECT_EQ(m.from, "n2");
  ASSERT_EQ(m.fields.size(), 5u);
  EXPECT_EQ(m.fields[0], "0.7");
  EXPECT_EQ(m.fields[1], "p1");
  EXPECT_EQ(m.fields[2], "demo");
  EXPECT_EQ(m.fields[3], "1250.5");
  EXPECT_EQ(m.fields[4], "1500");
  EXPECT_EQ(m.rest, R"({"skill":1250.5})");
  // Properties may hold newlines: they are the rest of the payload.
  std::string nl = Encode('A', "n2", {"0.7", "p1", "demo", "1000", "0"}, "{\n\"a\":1\n}");
  ASSERT_TRUE(Parse(nl, &m));
  EXPECT_EQ(m.rest, "{\n\"a\":1\n}");
}

TEST(ClusterPlayWire, EveryKindRoundTrips) {
  Message m;  // views into the encoded string, which must outlive it
  std::string r = Encode('R', "n1", {"3.9", "p1"}, "0190-ticket");
  ASSERT_TRUE(Parse(r, &m));
  EXPECT_EQ(m.rest, "0190-ticket");
  std::string y = Encode('Y', "n1", {"3.9", "", "t1", "2"}, "0");
  ASSERT_TRUE(Parse(y, &m));
  EXPECT_EQ(m.fields[1], "");
  std::string y2 = Encode('Y', "n1", {"3.9", "queue_full", "", "0"}, "1");
  ASSERT_TRUE(Parse(y2, &m));
  EXPECT_EQ(m.fields[1], "queue_full");
  std::string g =
      Encode('G', "n1", {"demo", "2", "t1", "p1", "n2", "0", "t2", "bot_x_abc123", "n1", "1"}, "");
  ASSERT_TRUE(Parse(g, &m));
  ASSERT_EQ(m.fields.size(), 10u);
  EXPECT_EQ(m.fields[7], "bot_x_abc123");
  EXPECT_EQ(m.fields[9], "1");
  std::string f = Encode('F', "n3", {"p1"}, R"({"type":"match.state","payload":{}})");
  ASSERT_TRUE(Parse(f, &m));
  EXPECT_EQ(m.rest, R"({"type":"match.state","payload":{}})");
  for (char op : std::string("ILCVX")) {
    std::string o = Encode('O', "n2", {"1.1", std::string(1, op), "p1", "m1"}, "body\nx");
    ASSERT_TRUE(Parse(o, &m)) << op;
    EXPECT_EQ(m.rest, "body\nx");
  }
  std::string t = Encode('T', "n2", {"1.4", "p1"}, "0190-ticket");
  ASSERT_TRUE(Parse(t, &m));
  EXPECT_EQ(m.fields[1], "p1");
  EXPECT_EQ(m.rest, "0190-ticket");
  std::string st = Encode(
      'S', "n1", {"1.4", "", "0190-ticket", "demo", "matched", "1796300000000", "0190-match"},
      R"({"region":"eu"})");
  ASSERT_TRUE(Parse(st, &m));
  ASSERT_EQ(m.fields.size(), 7u);
  EXPECT_EQ(m.fields[4], "matched");
  EXPECT_EQ(m.fields[6], "0190-match");
  EXPECT_EQ(m.rest, R"({"region":"eu"})");
  std::string se = Encode('S', "n1", {"1.4", "not_owner", "", "", "", "0", ""}, "");
  ASSERT_TRUE(Parse(se, &m));
  EXPECT_EQ(m.fields[1], "not_owner");
  std::string pl = Encode('P', "n2", {"demo", "m", "0190-match", "2", "t1", "t2"}, "");
  ASSERT_TRUE(Parse(pl, &m));
  ASSERT_EQ(m.fields.size(), 6u);
  EXPECT_EQ(m.fields[2], "0190-match");
  EXPECT_EQ(m.fields[5], "t2");
  for (const char* outcome : {"f", "r"}) {  // failed to start; back to the queue
    std::string pf = Encode('P', "n2", {"demo", outcome, "", "1", "t1"}, "");
    ASSERT_TRUE(Parse(pf, &m)) << outcome;
    EXPECT_EQ(m.fields[1], outcome);
  }
  std::string v = Encode('V', "n2", {"1.1"}, "vote_not_found");
  ASSERT_TRUE(Parse(v, &m));
  EXPECT_EQ(m.rest, "vote_not_found");
  std::string v2 = Encode('V', "n2", {"1.1"}, "");
  ASSERT_TRUE(Parse(v2, &m));
  // DM block checks and block changes (docs/decisions.md "DM block lists in memory").
  std::string k = Encode('K', "n1", {"0.3", "sender", "recipient"},
                         R"({"type":"dm.message","payload":{"content":"a\nb"}})");
  ASSERT_TRUE(Parse(k, &m));
  EXPECT_EQ(m.fields[1], "sender");
  EXPECT_EQ(m.fields[2], "recipient");
  EXPECT_EQ(m.rest, R"({"type":"dm.message","payload":{"content":"a\nb"}})");
  for (const char* blocked : {"0", "1"}) {
    std::string l = Encode('L', "n1", {"1.8", "player", "other", blocked}, "");
    ASSERT_TRUE(Parse(l, &m)) << blocked;
    EXPECT_EQ(m.fields[1], "player");
    EXPECT_EQ(m.fields[2], "other");
    EXPECT_EQ(m.fields[3], blocked);
  }
}

TEST(ClusterPlayWire, RefusesMalformed) {
  Message m;
  const std::vector<std::string> bad = {
      "",
      "Q1\n",
      "Q2\nA\nn1\n",
      "Q1\nZ\nn1\nx",                                                 // unknown kind
      "Q1\nAn1\n",                                                    // no newline after kind
      Encode('A', "bad node", {"0.1", "p", "demo", "1", "0"}, "{}"),  // from not a token
      Encode('A', "n1", {"x", "p", "demo", "1", "0"}, "{}"),          // req id
      Encode('A', "n1", {"0.1", "", "demo", "1", "0"}, "{}"),         // empty player
      Encode('A', "n1", {"0.1", "p", "demo", "nan", "0"}, "{}"),      // skill not finite
      Encode('A', "n1", {"0.1", "p", "demo", "1", "-5"}, "{}"),       // waited negative
      Encode('A', "n1", {"0.1", "p", "demo", "1", "0"}, ""),          // no properties
      Encode('A', "n1", {"0.1", "p", "demo", "1", "0"}, std::string(9000, 'x')),
      Encode('A', "n1", {"0.1", "p", std::string(65, 'm'), "1", "0"}, "{}"),
      "Q1\nA\nn1\n0.1\np\ndemo\n1",         // fields missing
      Encode('R', "n1", {"0.1", "p"}, ""),  // no ticket id
      Encode('R', "n1", {"0.1", "p"}, "a\nb"),
      Encode('Y', "n1", {"0.1", "", "t", "2"}, "2"),  // already not 0/1
      Encode('Y', "n1", {"0.1", "", "t", "x"}, "0"),
      Encode('G', "n1", {"demo", "0"}, ""),                         // empty group
      Encode('G', "n1", {"demo", "2", "t1", "p1", "n2", "0"}, ""),  // count mismatch
      Encode('G', "n1", {"demo", "1", "t1", "p1", "n2", "0"}, "trailing"),
      Encode('G', "n1", {"demo", "1", "t1", "p1", "bad node", "0"}, ""),
      Encode('G', "n1", {"demo", "1", "t1", "p1", "n2", "2"}, ""),    // bot not 0/1
      Encode('G', "n1", {"demo", "999", "t1", "p1", "n2", "0"}, ""),  // over kGroupMax
      Encode('F', "n1", {"p1"}, "not json"),
      Encode('F', "n1", {"p1"}, ""),
      Encode('O', "n1", {"0.1", "Q", "p1", "m1"}, ""),  // unknown op
      Encode('O', "n1", {"0.1", "II", "p1", "m1"}, ""),
      Encode('O', "n1", {"0.1", "I", "p1", ""}, ""),  // no match id
      Encode('T', "n1", {"0.1", "p"}, ""),            // no ticket id
      Encode('T', "n1", {"0.1", ""}, "t1"),
      Encode('S', "n1", {"0.1", "", "t1", "demo", "pending", "-1", ""}, "{}"),
      Encode('S', "n1", {"0.1", "", "t1", "demo", "pending", "99999999999999999", ""}, "{}"),
      Encode('S', "n1", {"0.1", "", "", "demo", "pending", "0", ""}, "{}"),  // no ticket id
      Encode('S', "n1", {"0.1", "", "t1", "demo", "", "0", ""}, "{}"),       // no status
      Encode('S', "n1", {"0.1", "", "t1", "demo", "pending", "0", ""}, "[]"),
      Encode('S', "n1", {"0.1", "", "t1", "demo", "pending", "0", ""}, std::string(9000, '{')),
      Encode('S', "n1", {"0.1", "not_found", "t1", "", "", "0", ""}, ""),  // error with an id
      "Q1\nS\nn1\n0.1\n\nt1\ndemo\npending",                               // fields missing
      Encode('P', "n1", {"demo", "m1", "0"}, ""),                          // no tickets
      Encode('P', "n1", {"demo", "m1", "2", "t1"}, ""),                    // count mismatch
      Encode('P', "n1", {"demo", "m1", "1", "t1"}, "x"),
      Encode('P', "n1", {"", "m1", "1", "t1"}, ""),    // no mode
      Encode('P', "n1", {"demo", "m1", "1", ""}, ""),  // empty ticket id
      Encode('V', "n1", {"nodot"}, ""),
      Encode('V', "n1", {"0.1"}, std::string(65, 'r')),
      Encode('V', "n1", {"5000.1"}, ""),               // shard out of range
      Encode('K', "n1", {"0.1", "s", "r"}, ""),        // no frame
      Encode('K', "n1", {"0.1", "s", "r"}, "x"),       // frame not an object
      Encode('K', "n1", {"0.1", "", "r"}, "{}"),       // no sender
      Encode('K', "n1", {"0.1", "s", ""}, "{}"),       // no recipient
      Encode('K', "n1", {"x", "s", "r"}, "{}"),        // req id
      "Q1\nK\nn1\n0.1\ns",                             // fields missing
      Encode('L', "n1", {"0.1", "p", "o", "2"}, ""),   // blocked not 0/1
      Encode('L', "n1", {"0.1", "p", "o", "1"}, "x"),  // trailing
      Encode('L', "n1", {"0.1", "", "o", "1"}, ""),    // no player
      Encode('L', "n1", {"0.1", "p", "", "0"}, ""),    // no other
      Encode('L', "n1", {"0.1", "p", std::string(129, 'o'), "0"}, ""),
  };
  for (const std::string& b : bad) EXPECT_FALSE(Parse(b, &m)) << b;
}

TEST(ClusterPlayWire, BatchRepeatsTheFrameBeforeIt) {
  std::string rest;
  const std::string state = R"({"type":"match.state","payload":{"tick":7}})";
  cluster_play::AppendBatchItem(&rest, "p1", state);
  cluster_play::AppendBatchRepeat(&rest, "p2");
  cluster_play::AppendBatchRepeat(&rest, "p3");
  cluster_play::AppendBatchItem(&rest, "p4", "{}");
  cluster_play::AppendBatchRepeat(&rest, "p5");
  // The state's bytes are in the batch once: "p1\n<len>\n<state>", then "p2\n=\n" ...
  EXPECT_EQ(rest.size(), 3 + std::to_string(state.size()).size() + 1 + state.size() + 5 + 5 +
                             std::string("p4\n2\n{}").size() + 5);
  Message m;
  std::string b = Encode('B', "n1", {"5"}, rest);
  ASSERT_TRUE(Parse(b, &m));
  ASSERT_EQ(m.fields.size(), 11u);
  for (size_t i : {2u, 4u, 6u}) EXPECT_EQ(m.fields[i], state) << i;
  EXPECT_EQ(m.fields[5], "p3");
  EXPECT_EQ(m.fields[7], "p4");
  EXPECT_EQ(m.fields[8], "{}");
  EXPECT_EQ(m.fields[10], "{}");
}

TEST(ClusterPlayWire, BatchOfFramesRoundTrips) {
  std::string rest;
  cluster_play::AppendBatchItem(&rest, "p1", R"({"type":"match.state","payload":{"a":"\n"}})");
  cluster_play::AppendBatchItem(&rest, "p2", "{\n}");
  std::string b = Encode('B', "n1", {"2"}, rest);
  Message m;
  ASSERT_TRUE(Parse(b, &m));
  ASSERT_EQ(m.fields.size(), 5u);
  EXPECT_EQ(m.fields[1], "p1");
  EXPECT_EQ(m.fields[2], R"({"type":"match.state","payload":{"a":"\n"}})");
  EXPECT_EQ(m.fields[3], "p2");
  EXPECT_EQ(m.fields[4], "{\n}");
  EXPECT_TRUE(m.rest.empty());
  const std::vector<std::string> bad = {
      Encode('B', "n1", {"3"}, rest),          // fewer items than counted
      Encode('B', "n1", {"1"}, rest),          // bytes left over
      Encode('B', "n1", {"0"}, ""),            // empty
      Encode('B', "n1", {"1"}, "p1\n99\n{}"),  // length past the end
      Encode('B', "n1", {"1"}, "p1\n2\nab"),   // not a JSON object
      Encode('B', "n1", {"1"}, "p1\n0\n"),     // empty frame
      Encode('B', "n1", {"1"}, "\n2\n{}"),     // no player
      Encode('B', "n1", {"5000"}, rest),       // over kBatchMax
      Encode('B', "n1", {"1"}, "p1\n02\n{}"),  // length not canonical
      Encode('B', "n1", {"1"}, "p1\n=\n"),     // a repeat with nothing before it
      Encode('B', "n1", {"2"}, "p1\n=\np2\n2\n{}"),
  };
  for (const std::string& x : bad) EXPECT_FALSE(Parse(x, &m)) << x;
}

TEST(ClusterPlayWire, ReqIdNamesItsShard) {
  EXPECT_EQ(cluster_play::ShardOfReqId("0.1"), 0);
  EXPECT_EQ(cluster_play::ShardOfReqId("7.123456"), 7);
  EXPECT_EQ(cluster_play::ShardOfReqId("7."), -1);
  EXPECT_EQ(cluster_play::ShardOfReqId(".1"), -1);
  EXPECT_EQ(cluster_play::ShardOfReqId("a.1"), -1);
  EXPECT_EQ(cluster_play::ShardOfReqId("-1.1"), -1);
}

TEST(ClusterPlayFrames, TypeAndMatchId) {
  std::string matched = R"({"type":"match.matched","payload":{"match_id":"abc-1","players":[]}})";
  EXPECT_TRUE(cluster_play::IsPush(matched, "match.matched"));
  EXPECT_FALSE(cluster_play::IsPush(matched, "match.match"));
  EXPECT_FALSE(cluster_play::IsPush(matched, "match.finished"));
  EXPECT_EQ(cluster_play::FrameMatchId(matched), "abc-1");
  EXPECT_EQ(cluster_play::FrameMatchId(R"({"type":"x","payload":{}})"), "");
  EXPECT_EQ(cluster_play::FrameMatchId(R"({"type":"x","payload":{"match_id":"unterminated)"), "");
  EXPECT_FALSE(cluster_play::IsPush("{}", "match.matched"));
}

TEST(ClusterPlayProxy, RefsAreInTheirOwnRange) {
  EXPECT_FALSE(cluster_play::ProxyClient::IsProxyRef(ClientRef{0, 5, 1}));
  EXPECT_TRUE(cluster_play::ProxyClient::IsProxyRef(ClientRef{0, 0x40000001u, 1}));
  EXPECT_FALSE(cluster_play::ProxyClient::IsProxyRef(ClientRef{0, 0x80000001u, 1}));  // bots
}

// A draining node says so in its announcement; the queue owner and placement skip it.
TEST(ClusterPlayMembership, DrainingFlagParses) {
  cluster::NodeInfo info;
  bool leaving = true;
  ASSERT_TRUE(cluster::Membership::ParseAnnouncement(
      R"({"node":"n1","address":"a:1","load":3,"draining":true})", &info, &leaving));
  EXPECT_TRUE(info.draining);
  EXPECT_FALSE(leaving);
  ASSERT_TRUE(cluster::Membership::ParseAnnouncement(R"({"node":"n1","address":"a:1","load":3})",
                                                     &info, &leaving));
  EXPECT_FALSE(info.draining);
  EXPECT_FALSE(cluster::Membership::ParseAnnouncement(
      R"({"node":"n1","address":"a:1","load":3,"draining":1})", &info, &leaving));
}

TEST(ClientMatchesRemote, RemoteEntriesAreBoundAndCleared) {
  match::ClientMatches cm;
  ClientRef a{0, 1, 1}, b{0, 2, 1};
  cm.SetRemote(a, "m1", "n2");
  cm.Set(b, "m2");
  ASSERT_NE(cm.RemoteNodeOf(a), nullptr);
  EXPECT_EQ(*cm.RemoteNodeOf(a), "n2");
  EXPECT_EQ(cm.RemoteNodeOf(b), nullptr);
  ASSERT_EQ(cm.RemoteEntries().size(), 1u);
  EXPECT_EQ(cm.RemoteEntries()[0].match_id, "m1");
  cm.ClearIf(a, "other");  // a newer binding is kept
  EXPECT_NE(cm.RemoteNodeOf(a), nullptr);
  cm.Set(a, "m3");  // joined a local match: no longer remote
  EXPECT_EQ(cm.RemoteNodeOf(a), nullptr);
  cm.SetRemote(a, "m4", "n3");
  EXPECT_EQ(cm.Remove(a), "m4");
  EXPECT_EQ(cm.RemoteNodeOf(a), nullptr);
  EXPECT_TRUE(cm.RemoteEntries().empty());
}

}  // namespace
}  // namespace asobi

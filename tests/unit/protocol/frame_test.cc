#include "protocol/frame.h"

#include <gtest/gtest.h>

#include <string>

#include "protocol/envelope.h"

namespace asobi {
namespace {

TEST(FrameTest, HeartbeatReplyMatchesFixture) {
  // fixtures/session.heartbeat.json
  const std::string cid = R"("2")";
  EXPECT_EQ(BuildHeartbeatReply(1730000000000, &cid),
            R"({"type":"session.heartbeat","cid":"2","payload":{"ts":1730000000000}})");
}

TEST(FrameTest, HeartbeatWithoutCidOmitsIt) {
  EXPECT_EQ(BuildHeartbeatReply(5, nullptr), R"({"type":"session.heartbeat","payload":{"ts":5}})");
}

TEST(FrameTest, BuildFrameWithAndWithoutCid) {
  const std::string cid = R"("1")";
  // fixtures/session.connected.json shape plus `wire` (websocket.md §12).
  EXPECT_EQ(BuildFrame("session.connected", R"({"player_id":"01j8x","wire":"json"})", &cid),
            R"({"type":"session.connected","cid":"1","payload":{"player_id":"01j8x",)"
            R"("wire":"json"}})");
  EXPECT_EQ(BuildFrame("match.state", R"({"tick":3})", nullptr),
            R"({"type":"match.state","payload":{"tick":3}})");
}

TEST(FrameTest, CidOfAnyKindIsEchoedVerbatim) {
  EnvelopeParser parser;
  for (std::string_view cid : {R"("abc")", "7", "-1.25", R"({"a":[1,{"b":null}]})", "null"}) {
    auto req = parser.Parse(R"({"type":"session.heartbeat","cid":)" + std::string(cid) +
                            R"(,"payload":{}})");
    ASSERT_TRUE(req.ok()) << cid;
    const std::string reply = BuildHeartbeatReply(10, req->cid());
    EXPECT_EQ(reply, R"({"type":"session.heartbeat","cid":)" + std::string(cid) +
                         R"(,"payload":{"ts":10}})");
  }
}

TEST(FrameTest, BeginEndFrameWithStreamedPayload) {
  JsonWriter w;
  BeginFrame(&w, "match.state", nullptr);
  w.BeginObject();
  w.Key("tick");
  w.Int(42);
  w.Key("players");
  w.BeginObject();
  w.Key("p1");
  w.BeginObject();
  w.Key("x");
  w.Double(1.5);
  w.EndObject();
  w.EndObject();
  w.EndObject();
  EndFrame(&w);
  EXPECT_EQ(w.Take(), R"({"type":"match.state","payload":{"tick":42,"players":{"p1":{"x":1.5}}}})");
}

}  // namespace
}  // namespace asobi

// BotClient: what a bot keeps from the frames its match sends it (lua.md §10).
#include "game/bots/bot_client.h"

#include <gtest/gtest.h>

#include "ws/ws_codec.h"

namespace asobi::bots {
namespace {

TEST(BotClient, KeepsTheLatestStateAndStopsOnFinished) {
  BotClient c(ClientRef{0, 0x80000001u, 1}, "bot_x_abcdef");
  EXPECT_EQ(c.player_id(), "bot_x_abcdef");
  EXPECT_TRUE(c.view().empty());
  c.SendEncoded(WsCodec::EncodeTextFrameShared(R"({"type":"match.state","payload":{"tick":1}})"));
  EXPECT_EQ(c.view(), R"({"tick":1})");
  EXPECT_TRUE(c.TakeFresh());
  EXPECT_FALSE(c.TakeFresh());
  c.SendFrame(R"({"type":"match.vote_start","payload":{}})");
  EXPECT_TRUE(c.vote_pending());
  c.SendFrame(R"({"type":"match.state","payload":{"tick":2}})");
  EXPECT_FALSE(c.vote_pending());
  EXPECT_EQ(c.view(), R"({"tick":2})");
  c.SendFrame(R"({"type":"match.boom","payload":{}})");
  EXPECT_FALSE(c.finished());
  c.SendFrame(R"({"type":"match.finished","payload":{"match_id":"m","result":{}}})");
  EXPECT_TRUE(c.finished());
}

TEST(BotClient, LargeFramesAndBrokenFrames) {
  std::string big =
      R"({"type":"match.state","payload":{"pad":")" + std::string(70000, 'a') + R"("}})";
  SharedBuffer frame = WsCodec::EncodeTextFrameShared(big);
  EXPECT_EQ(WsFramePayload(frame.view()), big);
  EXPECT_EQ(WsFramePayload(std::string_view(frame.data(), 20)), "");  // truncated
  EXPECT_EQ(WsFramePayload(""), "");
  EXPECT_EQ(WsFramePayload(std::string("\x82\x01x", 3)), "");  // binary
  BotClient c(ClientRef{0, 0x80000001u, 1}, "b");
  c.SendEncoded(frame);
  EXPECT_EQ(c.view().size(),
            big.size() - std::string(R"({"type":"match.state","payload":)").size() - 1);
  c.SendFrame(R"({"type":"match.state","payload":)");  // no payload: ignored
  EXPECT_EQ(c.view().size(), 70010u);
}

}  // namespace
}  // namespace asobi::bots

// MatchOutbox helpers: EncodePush writes exactly the frame BuildFrame + EncodeTextFrameShared
// would, and PushCarriesPayload recognises a frame's payload in place.
#include "game/match/match_outbox.h"

#include <gtest/gtest.h>

#include <string>

#include "protocol/frame.h"
#include "ws/ws_codec.h"

namespace asobi::match {
namespace {

std::string Reference(std::string_view type, std::string_view payload) {
  return std::string(WsCodec::EncodeTextFrameShared(BuildFrame(type, payload, nullptr)).view());
}

std::string PayloadOfSize(size_t n) {
  std::string p = "{\"s\":\"";
  while (p.size() + 2 < n) p.push_back('a' + char(p.size() % 26));
  p += "\"}";
  return p;
}

TEST(MatchOutboxTest, EncodePushMatchesTheGenericFrameAtEveryHeaderSize) {
  // Text sizes around the 7-bit, 16-bit and 64-bit length encodings (RFC 6455 §5.2).
  for (size_t n : {2, 50, 90, 95, 96, 97, 100, 125, 126, 127, 65500, 65504, 65505, 65506, 70000}) {
    const std::string payload = PayloadOfSize(n);
    EXPECT_EQ(std::string(EncodePush("match.state", payload).view()),
              Reference("match.state", payload))
        << n;
  }
}

TEST(MatchOutboxTest, EncodePushEscapesAnUnusualType) {
  EXPECT_EQ(std::string(EncodePush("we\"ird\\type", "{}").view()),
            Reference("we\"ird\\type", "{}"));
}

TEST(MatchOutboxTest, PushCarriesPayloadComparesThePayloadBytes) {
  const SharedBuffer frame = EncodePush("match.state", R"({"tick":1,"you":"p1"})");
  EXPECT_TRUE(PushCarriesPayload(frame, "match.state", R"({"tick":1,"you":"p1"})"));
  EXPECT_FALSE(PushCarriesPayload(frame, "match.state", R"({"tick":1,"you":"p2"})"));
  EXPECT_FALSE(PushCarriesPayload(frame, "match.state", R"({"tick":1,"you":"p10"})"));
  EXPECT_FALSE(PushCarriesPayload(frame, "match.stat", R"({"tick":1,"you":"p1"})"));
  EXPECT_FALSE(PushCarriesPayload(SharedBuffer(), "match.state", "{}"));
}

}  // namespace
}  // namespace asobi::match

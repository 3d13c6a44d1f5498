// World tick fan-out buffers (world_tick_buffers.h): one WebSocket frame per wire kind.
#include "game/world/wire/world_tick_buffers.h"

#include <gtest/gtest.h>

#include "protocol/world_tick/json_world_tick.h"

namespace asobi::world {
namespace {

using world_tick::DeltaOp;
using world_tick::FieldValue;
using world_tick::Refusal;
using world_tick::WorldTickFrame;

WorldTickFrame Frame() {
  WorldTickFrame f;
  f.frame_seq = 1;
  f.tick = 3;
  f.AddRecord(DeltaOp::kAdd, "e1", 0);
  f.AddField("x", FieldValue::Double(1.5));
  return f;
}

// The payload of an unmasked server frame with a short (< 126 bytes) payload.
std::string_view Payload(const SharedBuffer& b) { return b.view().substr(2); }

TEST(WorldTickBuffersTest, TextAndBinaryFramesCarryTheTwoEncodings) {
  WorldTickFrame f = Frame();
  WorldTickBuffers b = EncodeWorldTickBuffers(f, /*want_binary=*/true);
  EXPECT_EQ(b.refusal, Refusal::kNone);
  ASSERT_FALSE(b.binary.empty());
  EXPECT_EQ(static_cast<uint8_t>(b.text.data()[0]), 0x81);    // text
  EXPECT_EQ(static_cast<uint8_t>(b.binary.data()[0]), 0x82);  // binary
  EXPECT_EQ(Payload(b.text), world_tick::EncodeJsonWorldTick(f));
  std::string bin;
  ASSERT_EQ(world_tick::EncodeBinaryWorldTick(f, &bin), Refusal::kNone);
  EXPECT_EQ(Payload(b.binary), bin);
  EXPECT_EQ(b.For(true).data(), b.binary.data());
  EXPECT_EQ(b.For(false).data(), b.text.data());
}

TEST(WorldTickBuffersTest, RefusedFrameGoesToBinaryClientsAsText) {
  WorldTickFrame f = Frame();
  f.AddField("big", FieldValue::Int(int64_t(1) << 40));  // does not fit i32
  WorldTickBuffers b = EncodeWorldTickBuffers(f, true);
  EXPECT_EQ(b.refusal, Refusal::kIntOutOfRange);
  EXPECT_TRUE(b.binary.empty());
  EXPECT_EQ(b.For(true).data(), b.text.data());
  EXPECT_NE(Payload(b.text).find("\"big\":1099511627776"), std::string_view::npos);
}

TEST(WorldTickBuffersTest, NoBinaryEncodingWhenNotWanted) {
  WorldTickBuffers b = EncodeWorldTickBuffers(Frame(), false);
  EXPECT_TRUE(b.binary.empty());
  EXPECT_EQ(b.refusal, Refusal::kNone);
  EXPECT_EQ(b.For(true).data(), b.text.data());
}

}  // namespace
}  // namespace asobi::world

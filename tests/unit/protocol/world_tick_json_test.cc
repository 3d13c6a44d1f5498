// The JSON world.tick frame (websocket.md §10.5) from a WorldTickFrame.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "protocol/world_tick/json_world_tick.h"
#include "simdjson.h"

namespace asobi::world_tick {
namespace {

TEST(WorldTickJsonTest, SequencedFrameHasEveryHeaderFieldAndOneObjectPerRecord) {
  WorldTickFrame f;
  f.zone_x = 3;
  f.zone_y = -2;
  f.frame_seq = 4711;
  f.tick = 94220;
  f.AddRecord(DeltaOp::kAdd, "e1", 1);
  f.AddField("x", FieldValue::Double(1.5));
  f.AddField("hp", FieldValue::Int(100));
  f.AddField("name", FieldValue::String("a \"b\""));
  f.AddField("alive", FieldValue::Bool(true));
  f.AddField("target", FieldValue::Null());
  f.AddField("inv", FieldValue::Json(R"([1,{"k":2}])"));
  f.AddRecord(DeltaOp::kUpdate, "e2", 2);
  f.AddField("x", FieldValue::Double(2.0));
  f.AddRecord(DeltaOp::kRemove, "e3", 3);
  EXPECT_EQ(EncodeJsonWorldTick(f),
            R"({"type":"world.tick","payload":{"zone":[3,-2],"frame_seq":4711,"kf":false,)"
            R"("tick":94220,"updates":[{"op":"a","id":"e1","x":1.5,"hp":100,)"
            R"("name":"a \"b\"","alive":true,"target":null,"inv":[1,{"k":2}]},)"
            R"({"op":"u","id":"e2","x":2},{"op":"r","id":"e3"}]}})");
}

TEST(WorldTickJsonTest, KeyframeAndUngatedFrames) {
  WorldTickFrame kf;
  kf.kf = true;
  kf.frame_seq = 0;
  EXPECT_EQ(EncodeJsonWorldTick(kf),
            R"({"type":"world.tick","payload":{"zone":[0,0],"frame_seq":0,"kf":true,"tick":0,)"
            R"("updates":[]}})");
  WorldTickFrame leave;
  leave.kind = FrameKind::kUngated;
  leave.frame_seq = 9;  // not part of an ungated frame
  leave.zone_x = 5;
  leave.zone_y = 5;
  leave.AddRecord(DeltaOp::kRemove, "gone", 3);
  EXPECT_EQ(EncodeJsonWorldTick(leave), R"({"type":"world.tick","payload":{"zone":[5,5],"tick":0,)"
                                        R"("updates":[{"op":"r","id":"gone"}]}})");
}

TEST(WorldTickJsonTest, RecordOwnsOpAndIdAndRemovesHaveNoFields) {
  WorldTickFrame f;
  f.AddRecord(DeltaOp::kAdd, "real", 0);
  f.AddField("id", FieldValue::String("fake"));
  f.AddField("op", FieldValue::String("r"));
  f.AddField("hp", FieldValue::Int(1));
  f.AddRecord(DeltaOp::kRemove, "old", 1);
  f.AddField("hp", FieldValue::Int(2));
  EXPECT_EQ(EncodeJsonWorldTick(f),
            R"({"type":"world.tick","payload":{"zone":[0,0],"frame_seq":0,"kf":false,"tick":0,)"
            R"("updates":[{"op":"a","id":"real","hp":1},{"op":"r","id":"old"}]}})");
}

TEST(WorldTickJsonTest, ValuesTheBinaryWireRefusesStillEncodeExactly) {
  WorldTickFrame f;
  f.frame_seq = (uint64_t(1) << 53) - 1;
  f.tick = (uint64_t(1) << 53) - 1;
  f.zone_x = INT32_MIN;
  f.AddRecord(DeltaOp::kAdd, "e", kNoSlot);
  f.AddField("big", FieldValue::Int(int64_t(1) << 40));
  f.AddField("huge", FieldValue::Double(1e300));
  f.AddField("nan", FieldValue::Double(std::nan("")));
  f.AddField("bad", FieldValue::String("a\xFF"));
  const std::string text = EncodeJsonWorldTick(f);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(text).get(doc), simdjson::SUCCESS) << text;
  simdjson::dom::element p = doc["payload"];
  EXPECT_EQ(uint64_t(p["frame_seq"]), (uint64_t(1) << 53) - 1);
  EXPECT_EQ(int64_t(p["zone"].at(0)), INT32_MIN);
  simdjson::dom::element u = p["updates"].at(0);
  EXPECT_EQ(int64_t(u["big"]), int64_t(1) << 40);
  EXPECT_EQ(double(u["huge"]), 1e300);
  EXPECT_TRUE(u["nan"].is_null());
  EXPECT_EQ(std::string_view(u["bad"]), "a\xEF\xBF\xBD");  // repaired, as every text frame
}

}  // namespace
}  // namespace asobi::world_tick

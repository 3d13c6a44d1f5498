// Binary world.tick encoder and decoder (websocket.md §11.1, §11.3; DECISIONS.md wire 6):
// value mapping, every refusal, and malformed input.
#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "protocol/world_tick/binary_world_tick.h"

namespace asobi::world_tick {
namespace {

using namespace std::string_literals;

// A sequenced frame with one add (slot 7) holding `name` = `value`.
WorldTickFrame OneField(std::string_view name, FieldValue value) {
  WorldTickFrame f;
  f.frame_seq = 3;
  f.tick = 9;
  f.AddRecord(DeltaOp::kAdd, "e1", 7, 2);
  f.AddField(name, std::move(value));
  return f;
}

Refusal Encode(const WorldTickFrame& f, std::string* out = nullptr) {
  std::string local;
  return EncodeBinaryWorldTick(f, out ? out : &local);
}

WorldTickFrame RoundTrip(const WorldTickFrame& f) {
  std::string bytes;
  EXPECT_EQ(Encode(f, &bytes), Refusal::kNone);
  WorldTickFrame back;
  Status st = DecodeBinaryWorldTick(bytes, &back);
  EXPECT_TRUE(st.ok()) << st.error().message;
  return back;
}

FieldValue OnlyValue(const WorldTickFrame& f) {
  EXPECT_EQ(f.fields.size(), 1u);
  return f.fields.empty() ? FieldValue() : f.fields[0].value;
}

// ---- Values ----

TEST(WorldTickBinaryTest, ScalarsRoundTripWithTheirTypes) {
  EXPECT_TRUE(OnlyValue(RoundTrip(OneField("n", FieldValue::Null()))) == FieldValue::Null());
  EXPECT_TRUE(OnlyValue(RoundTrip(OneField("b", FieldValue::Bool(true)))) ==
              FieldValue::Bool(true));
  EXPECT_TRUE(OnlyValue(RoundTrip(OneField("b", FieldValue::Bool(false)))) ==
              FieldValue::Bool(false));
  EXPECT_TRUE(OnlyValue(RoundTrip(OneField("s", FieldValue::String("héllo")))) ==
              FieldValue::String("héllo"));
  EXPECT_TRUE(OnlyValue(RoundTrip(OneField("s", FieldValue::String("")))) ==
              FieldValue::String(""));
  EXPECT_TRUE(OnlyValue(RoundTrip(OneField("x", FieldValue::Double(12.5)))) ==
              FieldValue::Double(12.5));
  // An integral double stays a float on the wire (fixtures: 3.0 is f32).
  EXPECT_TRUE(OnlyValue(RoundTrip(OneField("x", FieldValue::Double(3.0)))) ==
              FieldValue::Double(3.0));
}

TEST(WorldTickBinaryTest, Int32BoundsFitAndOneBeyondIsRefused) {
  for (int64_t v : {int64_t(INT32_MIN), int64_t(-1), int64_t(0), int64_t(INT32_MAX)}) {
    EXPECT_TRUE(OnlyValue(RoundTrip(OneField("i", FieldValue::Int(v)))) == FieldValue::Int(v)) << v;
  }
  for (int64_t v : {int64_t(INT32_MIN) - 1, int64_t(INT32_MAX) + 1, int64_t(1) << 53,
                    std::numeric_limits<int64_t>::min()}) {
    std::string out = "keep";
    EXPECT_EQ(Encode(OneField("i", FieldValue::Int(v)), &out), Refusal::kIntOutOfRange) << v;
    EXPECT_EQ(out, "keep");  // never a truncated value, never partial output
  }
}

TEST(WorldTickBinaryTest, DoublesGoAsNearestFloatAndBeyondFloatRangeIsRefused) {
  // Precision loss is accepted (§11.1): 0.1 arrives as the nearest float.
  EXPECT_TRUE(OnlyValue(RoundTrip(OneField("x", FieldValue::Double(0.1)))) ==
              FieldValue::Double(double(0.1f)));
  EXPECT_TRUE(OnlyValue(RoundTrip(OneField("x", FieldValue::Double(FLT_MAX)))) ==
              FieldValue::Double(FLT_MAX));
  EXPECT_TRUE(OnlyValue(RoundTrip(OneField("x", FieldValue::Double(-FLT_MAX)))) ==
              FieldValue::Double(-FLT_MAX));
  // Huge coordinates would become infinity: refused, the frame goes out as JSON.
  for (double v : {1e39, -1e39, 1e300, double(FLT_MAX) * 2}) {
    EXPECT_EQ(Encode(OneField("x", FieldValue::Double(v))), Refusal::kFloatOutOfRange) << v;
  }
}

TEST(WorldTickBinaryTest, NanAndInfinityGoAsNullLikeTheJsonWire) {
  for (double v : {std::nan(""), HUGE_VAL, -HUGE_VAL}) {
    EXPECT_TRUE(OnlyValue(RoundTrip(OneField("x", FieldValue::Double(v)))) == FieldValue::Null())
        << v;
  }
}

TEST(WorldTickBinaryTest, StringLimit) {
  EXPECT_TRUE(OnlyValue(RoundTrip(OneField("s", FieldValue::String(std::string(65535, 'a'))))) ==
              FieldValue::String(std::string(65535, 'a')));
  EXPECT_EQ(Encode(OneField("s", FieldValue::String(std::string(65536, 'a')))),
            Refusal::kStringTooLong);
}

TEST(WorldTickBinaryTest, NonScalarIsRefused) {
  EXPECT_EQ(Encode(OneField("inv", FieldValue::Json("[1,2]"))), Refusal::kNotScalar);
  EXPECT_EQ(Encode(OneField("obj", FieldValue::Json("{}"))), Refusal::kNotScalar);
}

TEST(WorldTickBinaryTest, InvalidUtf8IsRefusedInNamesIdsAndStrings) {
  EXPECT_EQ(Encode(OneField("s", FieldValue::String("a\xFF"))), Refusal::kInvalidUtf8);
  EXPECT_EQ(Encode(OneField("bad\xC0\x80", FieldValue::Null())), Refusal::kInvalidUtf8);
  WorldTickFrame f;
  f.AddRecord(DeltaOp::kAdd, "id\xED\xA0\x80", 1);  // a surrogate
  EXPECT_EQ(Encode(f), Refusal::kInvalidUtf8);
}

// ---- Names, ids, slots, counts ----

TEST(WorldTickBinaryTest, ThirtyTwoNamesFitAndTheThirtyThirdIsRefused) {
  WorldTickFrame f;
  f.AddRecord(DeltaOp::kAdd, "a", 0);
  for (int i = 0; i < 32; ++i) {
    std::string name = std::to_string(i);
    name.insert(0, 1, 'f');
    f.AddField(name, FieldValue::Int(i));
  }
  WorldTickFrame back = RoundTrip(f);
  EXPECT_EQ(back.fields.size(), 32u);
  // The 33rd name, in another record.
  f.AddRecord(DeltaOp::kUpdate, "b", 1);
  f.AddField("f0", FieldValue::Int(0));
  EXPECT_EQ(Encode(f), Refusal::kNone);
  f.AddField("f32", FieldValue::Int(0));
  EXPECT_EQ(Encode(f), Refusal::kTooManyNames);
}

TEST(WorldTickBinaryTest, NameAndIdLengthLimits) {
  EXPECT_EQ(Encode(OneField(std::string(255, 'n'), FieldValue::Null())), Refusal::kNone);
  EXPECT_EQ(Encode(OneField(std::string(256, 'n'), FieldValue::Null())), Refusal::kNameTooLong);
  WorldTickFrame f;
  f.AddRecord(DeltaOp::kAdd, std::string(255, 'i'), 0);
  EXPECT_EQ(RoundTrip(f).records[0].id, std::string(255, 'i'));
  f.records[0].id.push_back('i');
  EXPECT_EQ(Encode(f), Refusal::kIdTooLong);
  // Updates and removes carry no id: a long one does not matter there.
  f.records[0].op = DeltaOp::kUpdate;
  EXPECT_EQ(Encode(f), Refusal::kNone);
}

TEST(WorldTickBinaryTest, TwoFieldsWithOneNameInARecordAreRefused) {
  WorldTickFrame f = OneField("x", FieldValue::Int(1));
  f.AddField("x", FieldValue::Int(2));
  EXPECT_EQ(Encode(f), Refusal::kDuplicateName);
}

TEST(WorldTickBinaryTest, MissingOrOutOfRangeSlotIsRefused) {
  for (int32_t slot : {kNoSlot, -5, kMaxSlot + 1}) {
    WorldTickFrame f;
    f.AddRecord(DeltaOp::kRemove, "e", slot);
    EXPECT_EQ(Encode(f), Refusal::kMissingSlot) << slot;
  }
  WorldTickFrame f;
  f.AddRecord(DeltaOp::kRemove, "e", kMaxSlot, 255);
  WorldTickFrame back = RoundTrip(f);
  EXPECT_EQ(back.records[0].slot, kMaxSlot);
  EXPECT_EQ(back.records[0].gen, 255);
}

TEST(WorldTickBinaryTest, RecordCountLimit) {
  WorldTickFrame f;
  for (int i = 0; i < 65535; ++i) f.AddRecord(DeltaOp::kRemove, "", i);
  std::string out;
  ASSERT_EQ(Encode(f, &out), Refusal::kNone);
  EXPECT_EQ(out.size(), kMinBinaryFrameBytes + 65535 * 5);
  f.AddRecord(DeltaOp::kRemove, "", 0);
  EXPECT_EQ(Encode(f), Refusal::kTooManyRecords);
}

TEST(WorldTickBinaryTest, OpAndIdFieldsAndRemoveFieldsAreNotSent) {
  WorldTickFrame f;
  f.AddRecord(DeltaOp::kAdd, "e1", 1);
  f.AddField("id", FieldValue::String("other"));
  f.AddField("op", FieldValue::String("x"));
  f.AddField("hp", FieldValue::Int(5));
  f.AddRecord(DeltaOp::kRemove, "e2", 2);
  f.AddField("ghost", FieldValue::Int(1));
  WorldTickFrame back = RoundTrip(f);
  ASSERT_EQ(back.fields.size(), 1u);
  EXPECT_EQ(back.fields[0].name, "hp");
  EXPECT_EQ(back.FieldsOf(back.records[1]).size(), 0u);
}

TEST(WorldTickBinaryTest, UngatedFrameWritesZeroSeqAndKf) {
  WorldTickFrame f;
  f.kind = FrameKind::kUngated;
  f.frame_seq = 77;
  f.kf = true;
  f.zone_x = -3;
  f.AddRecord(DeltaOp::kRemove, "e", 4, 1);
  WorldTickFrame back = RoundTrip(f);
  EXPECT_EQ(back.kind, FrameKind::kUngated);
  EXPECT_EQ(back.frame_seq, 0u);
  EXPECT_FALSE(back.kf);
  EXPECT_EQ(back.zone_x, -3);
}

TEST(WorldTickBinaryTest, DictionaryIsInFirstAppearanceOrderAcrossRecords) {
  WorldTickFrame f;
  f.AddRecord(DeltaOp::kAdd, "a", 0);
  f.AddField("y", FieldValue::Int(1));
  f.AddField("x", FieldValue::Int(2));
  f.AddRecord(DeltaOp::kUpdate, "b", 1);
  f.AddField("z", FieldValue::Int(3));
  f.AddField("y", FieldValue::Int(4));
  std::string out;
  ASSERT_EQ(Encode(f, &out), Refusal::kNone);
  EXPECT_EQ(out.substr(26, 7), std::string("\x03\x01y\x01x\x01z", 7));
  // Field order within a record is kept: y then x.
  WorldTickFrame back = RoundTrip(f);
  EXPECT_EQ(back.fields[0].name, "y");
  EXPECT_EQ(back.fields[1].name, "x");
  EXPECT_EQ(back.fields[2].name, "z");
}

// ---- Malformed input (the decoder is total) ----

std::string ValidFrame() {
  WorldTickFrame f;
  f.frame_seq = 5;
  f.tick = 6;
  f.AddRecord(DeltaOp::kAdd, "e1", 1);
  f.AddField("x", FieldValue::Double(1.5));
  f.AddField("name", FieldValue::String("n"));
  f.AddRecord(DeltaOp::kUpdate, "e1", 1);
  f.AddField("x", FieldValue::Int(2));
  f.AddRecord(DeltaOp::kRemove, "e1", 1);
  std::string out;
  EXPECT_EQ(Encode(f, &out), Refusal::kNone);
  return out;
}

void ExpectMalformed(const std::string& bytes, std::string_view what) {
  WorldTickFrame f;
  Status st = DecodeBinaryWorldTick(bytes, &f);
  ASSERT_FALSE(st.ok()) << what;
  EXPECT_EQ(st.error().reason, "malformed");
  EXPECT_NE(st.error().message.find(what), std::string::npos) << st.error().message;
}

TEST(WorldTickBinaryDecodeTest, EveryTruncationAndTrailingByteIsMalformed) {
  const std::string ok = ValidFrame();
  WorldTickFrame f;
  ASSERT_TRUE(DecodeBinaryWorldTick(ok, &f).ok());
  for (size_t n = 0; n < ok.size(); ++n) ExpectMalformed(ok.substr(0, n), "truncated");
  ExpectMalformed(ok + '\0', "trailing bytes");
}

TEST(WorldTickBinaryDecodeTest, HeaderValues) {
  std::string b = ValidFrame();
  b[0] = 3;
  ExpectMalformed(b, "unknown kind");
  b = ValidFrame();
  b[0] = 0;
  ExpectMalformed(b, "unknown kind");
  b = ValidFrame();
  b[17] = 2;
  ExpectMalformed(b, "kf is not 0 or 1");
  b = ValidFrame();
  b[0] = 2;  // ungated, but frame_seq is 5
  ExpectMalformed(b, "ungated frame with frame_seq or kf");
}

// A frame with the given dictionary and one add record (slot 0, id "e") with the given field
// bytes (count then fields).
std::string Handmade(std::string dict, std::string record_tail, uint8_t op = 0) {
  std::string b(26, '\0');
  b[0] = 1;
  b += dict;
  b += std::string("\x01\x00", 2);  // one record
  b += static_cast<char>(op);
  b += std::string("\x00\x00\x00", 3);  // slot 0, gen 0
  if (op == 0)
    b += std::string(
        "\x01"
        "e",
        2);
  b += record_tail;
  return b;
}

TEST(WorldTickBinaryDecodeTest, HandmadeFrameDecodes) {
  WorldTickFrame f;
  Status st = DecodeBinaryWorldTick(Handmade("\x01\x01x"s, "\x01\xA0"s), &f);  // x = null
  ASSERT_TRUE(st.ok()) << st.error().message;
  EXPECT_EQ(f.fields[0].name, "x");
}

TEST(WorldTickBinaryDecodeTest, DictionaryDefects) {
  std::string big(1, char(33));
  for (int i = 0; i < 33; ++i) big += std::string("\x01") + char('A' + i);
  ExpectMalformed(Handmade(big, "\x00"s), "dictionary over 32 names");
  ExpectMalformed(Handmade("\x02\x01x\x01x"s, "\x02\xA0\xA1"s), "duplicate field name");
  ExpectMalformed(Handmade("\x02\x01x\x01y"s, "\x01\xA0"s), "unused field name");
  ExpectMalformed(Handmade("\x02\x01x\x01y"s, "\x02\xA1\xA0"s), "first-appearance order");
  ExpectMalformed(Handmade("\x01\x02\xC3\x28"s, "\x01\xA0"s), "field name is not UTF-8");
}

TEST(WorldTickBinaryDecodeTest, RecordDefects) {
  ExpectMalformed(Handmade("\x00"s, "\x00"s, 3), "unknown op");
  ExpectMalformed(Handmade("\x01\x01x"s, "\x01\xA1"s), "field index past the dictionary");
  ExpectMalformed(Handmade("\x01\x01x"s, "\x01\xC0"s), "reserved field type");  // type 6
  ExpectMalformed(Handmade("\x01\x01x"s, "\x01\xE0"s), "reserved field type");  // type 7
  ExpectMalformed(Handmade("\x01\x01x"s, "\x02\xA0\xA0"s), "field repeated in a record");
  ExpectMalformed(Handmade("\x01\x01x"s, "\x01\xA0"s, 2), "remove with fields");
  std::string bad_id = Handmade("\x00"s, "\x00"s);
  bad_id[26 + 1 + 2 + 4 + 1] = '\xFF';  // the id byte
  ExpectMalformed(bad_id, "entity id is not UTF-8");
  ExpectMalformed(Handmade("\x01\x01s"s, std::string("\x01\x80\x01\x00\xFF", 5)),
                  "string value is not UTF-8");
  ExpectMalformed(Handmade("\x01\x01x"s, std::string("\x01\x00\x00\x00\xC0\x7F", 6)),
                  "non-finite f32");
  ExpectMalformed(Handmade("\x01\x01x"s, std::string("\x01\x00\x00\x00\x80\xFF", 6)),
                  "non-finite f32");
}

TEST(WorldTickBinaryDecodeTest, HugeRecordCountInATinyFrameIsMalformedNotAHugeAllocation) {
  std::string b(26, '\0');
  b[0] = 1;
  b += std::string("\x00\xFF\xFF", 3);  // no names, 65535 records, none present
  ExpectMalformed(b, "truncated");
}

}  // namespace
}  // namespace asobi::world_tick

// The binary world.tick codec against the spec's fixtures (websocket.md §11.4): every fixture
// decodes to its manifest frame and re-encodes to the same bytes, and the frame built from the
// manifest encodes to the fixture.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "protocol/world_tick/binary_world_tick.h"
#include "protocol/world_tick/json_world_tick.h"
#include "simdjson.h"

namespace asobi::world_tick {
namespace {

namespace fs = std::filesystem;
using simdjson::dom::element;

const fs::path kDir = ASOBI_WIRE_FIXTURES_DIR;

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string NameOf(element c) { return std::string(std::string_view(c["name"])); }

fs::path BinPath(const std::string& name) {
  fs::path p = kDir / name;
  p += ".bin";
  return p;
}

DeltaOp OpOf(std::string_view op) {
  if (op == "add") return DeltaOp::kAdd;
  if (op == "update") return DeltaOp::kUpdate;
  EXPECT_EQ(op, "remove");
  return DeltaOp::kRemove;
}

// A manifest value as a field value: JSON integers are integers, JSON numbers with a fraction
// or exponent are doubles (the fixtures write floats as `3.0`).
FieldValue ValueOf(element v) {
  switch (v.type()) {
    case simdjson::dom::element_type::INT64:
      return FieldValue::Int(int64_t(v));
    case simdjson::dom::element_type::DOUBLE:
      return FieldValue::Double(double(v));
    case simdjson::dom::element_type::STRING:
      return FieldValue::String(std::string(std::string_view(v)));
    case simdjson::dom::element_type::BOOL:
      return FieldValue::Bool(bool(v));
    case simdjson::dom::element_type::NULL_VALUE:
      return FieldValue::Null();
    default:
      ADD_FAILURE() << "unexpected manifest value " << simdjson::minify(v);
      return FieldValue::Null();
  }
}

// The manifest's decoded frame as a WorldTickFrame (fields in manifest order).
WorldTickFrame FrameOf(element m) {
  WorldTickFrame f;
  f.kind = std::string_view(m["kind"]) == "ungated" ? FrameKind::kUngated : FrameKind::kSequenced;
  simdjson::dom::array zone = m["zone"];
  f.zone_x = int32_t(int64_t(zone.at(0)));
  f.zone_y = int32_t(int64_t(zone.at(1)));
  f.frame_seq = uint64_t(m["frame_seq"]);
  f.kf = bool(m["kf"]);
  f.tick = uint64_t(m["tick"]);
  for (element r : simdjson::dom::array(m["records"])) {
    std::string_view id;
    if (r["id"].error() == simdjson::SUCCESS) id = std::string_view(r["id"]);
    f.AddRecord(OpOf(std::string_view(r["op"])), id, int32_t(int64_t(r["slot"])),
                uint8_t(int64_t(r["gen"])));
    if (r["fields"].error() != simdjson::SUCCESS) continue;
    for (auto [key, value] : simdjson::dom::object(r["fields"])) {
      f.AddField(key, ValueOf(value));
    }
  }
  return f;
}

// Field-by-field equality, reported with the record index.
void ExpectSameFrame(const WorldTickFrame& got, const WorldTickFrame& want) {
  EXPECT_EQ(got.kind, want.kind);
  EXPECT_EQ(got.zone_x, want.zone_x);
  EXPECT_EQ(got.zone_y, want.zone_y);
  EXPECT_EQ(got.frame_seq, want.frame_seq);
  EXPECT_EQ(got.kf, want.kf);
  EXPECT_EQ(got.tick, want.tick);
  ASSERT_EQ(got.records.size(), want.records.size());
  for (size_t i = 0; i < got.records.size(); ++i) {
    SCOPED_TRACE(i);
    const EntityDelta &g = got.records[i], &w = want.records[i];
    EXPECT_EQ(g.op, w.op);
    EXPECT_EQ(g.id, w.id);
    EXPECT_EQ(g.slot, w.slot);
    EXPECT_EQ(g.gen, w.gen);
    auto gf = got.FieldsOf(g), wf = want.FieldsOf(w);
    ASSERT_EQ(gf.size(), wf.size());
    for (size_t j = 0; j < gf.size(); ++j) {
      EXPECT_EQ(gf[j].name, wf[j].name);
      EXPECT_TRUE(gf[j].value == wf[j].value) << gf[j].name;
    }
  }
}

class WireFixturesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    manifest_text_ = ReadFile(kDir / "manifest.json");
    ASSERT_FALSE(manifest_text_.empty()) << "no manifest in " << kDir;
    ASSERT_EQ(parser_.parse(manifest_text_).get(manifest_), simdjson::SUCCESS);
  }
  std::string manifest_text_;
  simdjson::dom::parser parser_;
  element manifest_;
};

TEST_F(WireFixturesTest, EveryBinFileHasAManifestCase) {
  std::set<std::string> names;
  for (element c : simdjson::dom::array(manifest_)) {
    names.insert(NameOf(c));
  }
  int bins = 0;
  for (const auto& e : fs::directory_iterator(kDir)) {
    if (e.path().extension() != ".bin") continue;
    ++bins;
    EXPECT_TRUE(names.count(e.path().stem().string())) << e.path();
  }
  EXPECT_EQ(bins, 7);
  EXPECT_EQ(names.size(), 7u);
}

TEST_F(WireFixturesTest, EachFixtureDecodesToItsManifestFrameAndReencodesToTheSameBytes) {
  for (element c : simdjson::dom::array(manifest_)) {
    const std::string name = NameOf(c);
    SCOPED_TRACE(name);
    const std::string bytes = ReadFile(BinPath(name));
    EXPECT_EQ(bytes.size(), uint64_t(c["bytes"]));
    WorldTickFrame decoded;
    Status st = DecodeBinaryWorldTick(bytes, &decoded);
    ASSERT_TRUE(st.ok()) << st.error().message;
    ExpectSameFrame(decoded, FrameOf(c["frame"]));
    std::string again;
    ASSERT_EQ(EncodeBinaryWorldTick(decoded, &again), Refusal::kNone);
    EXPECT_EQ(again, bytes);
  }
}

TEST_F(WireFixturesTest, FrameBuiltFromTheManifestEncodesToTheFixture) {
  for (element c : simdjson::dom::array(manifest_)) {
    const std::string name = NameOf(c);
    SCOPED_TRACE(name);
    std::string out;
    ASSERT_EQ(EncodeBinaryWorldTick(FrameOf(c["frame"]), &out), Refusal::kNone);
    EXPECT_EQ(out, ReadFile(BinPath(name)));
  }
}

TEST_F(WireFixturesTest, FortyUpdateFrameIsSmallerAsBinaryThanAsJson) {
  // The 40-entity steady state of §11.4 (Asobi: 1,039 B binary). Its JSON form needs the
  // entity ids the binary form replaces with slots: give each record a UUID-sized id.
  for (element c : simdjson::dom::array(manifest_)) {
    if (std::string_view(c["name"]) != "steady_state_40_updates") continue;
    WorldTickFrame f = FrameOf(c["frame"]);
    for (EntityDelta& r : f.records) {
      r.id = "01a0115f-547e-714f-829f-";
      r.id += std::to_string(100000000000 + r.slot);
    }
    std::string bin;
    ASSERT_EQ(EncodeBinaryWorldTick(f, &bin), Refusal::kNone);
    const std::string json = EncodeJsonWorldTick(f);
    EXPECT_EQ(bin.size(), 1039u);
    EXPECT_GT(json.size(), 3 * bin.size()) << json;
    return;
  }
  FAIL() << "steady_state_40_updates missing";
}

}  // namespace
}  // namespace asobi::world_tick

// The world.terrain push (websocket.md §10.9).
#include "game/world/terrain/terrain_frame.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <string>

#include "simdjson.h"

namespace asobi::world::terrain {
namespace {

TEST(TerrainFrameTest, CoordsAndStandardPaddedBase64OfTheChunkBytes) {
  const std::string bytes("\x00\xFF\xFE\x01?", 5);  // "AP/+AT8=" in standard base64
  const std::string text = BuildTerrainFrame({-3, 2147483647}, bytes);
  EXPECT_EQ(text,
            R"({"type":"world.terrain","payload":{"coords":[-3,2147483647],"data":"AP/+AT8="}})");
}

TEST(TerrainFrameTest, LargeChunkRoundTripsThroughTheFrame) {
  std::string bytes;
  for (int i = 0; i < 20000; ++i) bytes.push_back(char(i * 7));
  const std::string text = BuildTerrainFrame({1, 2}, bytes);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(text).get(doc), simdjson::SUCCESS);
  std::string_view data = doc["payload"]["data"];
  std::string back(bytes.size(), '\0');
  size_t len = 0;
  ASSERT_EQ(
      sodium_base642bin(reinterpret_cast<unsigned char*>(back.data()), back.size(), data.data(),
                        data.size(), nullptr, &len, nullptr, sodium_base64_VARIANT_ORIGINAL),
      0);
  EXPECT_EQ(len, bytes.size());
  EXPECT_EQ(back, bytes);
}

TEST(TerrainFrameTest, SharedBufferIsOneWebSocketTextFrame) {
  const std::string text = BuildTerrainFrame({0, 0}, "abc");
  SharedBuffer f = EncodeTerrainFrame({0, 0}, "abc");
  ASSERT_GE(f.size(), 2u);
  EXPECT_EQ(static_cast<uint8_t>(f.data()[0]), 0x81);  // FIN + text
  EXPECT_EQ(static_cast<uint8_t>(f.data()[1]), text.size());
  EXPECT_EQ(f.view().substr(2), text);
}

}  // namespace
}  // namespace asobi::world::terrain

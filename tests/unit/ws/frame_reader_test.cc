#include "ws/frame_reader.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ws_test_frames.h"

namespace asobi {
namespace {

using namespace ws_test;  // NOLINT(google-build-using-namespace)

// Reads everything available from `bytes`; returns the pieces (or stops at a malformed header).
std::vector<FrameReader::Chunk> ReadAll(FrameReader& reader, std::string_view bytes,
                                        std::vector<std::string>* data, bool* malformed = nullptr) {
  std::vector<FrameReader::Chunk> chunks;
  FrameReader::Chunk chunk;
  for (;;) {
    FrameReader::Result r = reader.Next(&bytes, &chunk);
    if (r == FrameReader::Result::kNeedMore) break;
    if (r == FrameReader::Result::kMalformed) {
      if (malformed != nullptr) *malformed = true;
      break;
    }
    chunks.push_back(chunk);
    data->emplace_back(chunk.data);  // copied: valid only until the next call
  }
  EXPECT_TRUE(bytes.empty());
  return chunks;
}

TEST(FrameReader, ReturnsUnmaskedPayloadAndHeaderFields) {
  FrameReader reader;
  std::vector<std::string> data;
  auto chunks = ReadAll(reader, ClientFrame(kText, "hello", /*fin=*/false), &data);
  ASSERT_EQ(chunks.size(), 1u);
  EXPECT_EQ(data[0], "hello");
  EXPECT_EQ(chunks[0].opcode, kText);
  EXPECT_FALSE(chunks[0].fin);
  EXPECT_TRUE(chunks[0].masked);
  EXPECT_TRUE(chunks[0].first);
  EXPECT_TRUE(chunks[0].last);
  EXPECT_EQ(chunks[0].payload_bytes, 5u);
}

TEST(FrameReader, EmptyFrameIsOneEmptyPiece) {
  FrameReader reader;
  std::vector<std::string> data;
  auto chunks = ReadAll(reader, ClientFrame(kPing, "") + ClientFrame(kText, "x"), &data);
  ASSERT_EQ(chunks.size(), 2u);
  EXPECT_TRUE(chunks[0].first && chunks[0].last);
  EXPECT_EQ(chunks[0].opcode, kPing);
  EXPECT_EQ(data[0], "");
  EXPECT_EQ(data[1], "x");
}

TEST(FrameReader, LargeFrameComesInPiecesAndKeepsItsContextUntilDone) {
  FrameReader reader;
  std::string payload(10000, 'q');
  std::string frame = ClientFrame(kBinary, payload);
  std::vector<std::string> data;
  auto chunks = ReadAll(reader, std::string_view(frame).substr(0, 5000), &data);
  ASSERT_FALSE(chunks.empty());
  EXPECT_TRUE(chunks.front().first);
  EXPECT_FALSE(chunks.back().last);
  reader.Park();
  EXPECT_TRUE(reader.holds_context());  // mid-frame: the context carries state
  chunks = ReadAll(reader, std::string_view(frame).substr(5000), &data);
  ASSERT_FALSE(chunks.empty());
  EXPECT_FALSE(chunks.front().first);
  EXPECT_TRUE(chunks.back().last);
  std::string joined;
  for (const std::string& d : data) joined += d;
  EXPECT_EQ(joined, payload);
  reader.Park();
  EXPECT_FALSE(reader.holds_context());  // frame boundary, nothing buffered
}

TEST(FrameReader, KeepsContextWhileHeaderBytesAreBuffered) {
  FrameReader reader;
  std::string frames = ClientFrame(kText, "one") + ClientFrame(kText, "two");
  std::vector<std::string> data;
  // All of the first frame and 1 byte of the second: at a boundary, but a byte is buffered.
  ReadAll(reader, std::string_view(frames).substr(0, 10), &data);
  EXPECT_EQ(data, std::vector<std::string>{"one"});
  reader.Park();
  EXPECT_TRUE(reader.holds_context());
  ReadAll(reader, std::string_view(frames).substr(10), &data);
  EXPECT_EQ(data, (std::vector<std::string>{"one", "two"}));
  reader.Park();
  EXPECT_FALSE(reader.holds_context());
}

TEST(FrameReader, ParkedContextIsReusedByAnotherReader) {
  FrameReader a, b;
  std::vector<std::string> data;
  ReadAll(a, ClientFrame(kText, "x"), &data);
  a.Park();
  ReadAll(b, std::string_view(ClientFrame(kText, "hello")).substr(0, 4), &data);
  b.Park();
  EXPECT_TRUE(b.holds_context());
  ReadAll(b, std::string_view(ClientFrame(kText, "hello")).substr(4), &data);
  EXPECT_EQ(data, (std::vector<std::string>{"x", "hello"}));
}

TEST(FrameReader, MalformedHeaderIsReported) {
  FrameReader reader;
  std::vector<std::string> data;
  bool malformed = false;
  ReadAll(reader, ClientFrame(kPing, std::string(126, 'p')), &data, &malformed);
  EXPECT_TRUE(malformed);
  reader.Discard();
  EXPECT_FALSE(reader.holds_context());
}

TEST(FrameReader, StaysSmall) { EXPECT_LE(sizeof(FrameReader), 24u); }

}  // namespace
}  // namespace asobi

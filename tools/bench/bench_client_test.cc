// Tests of the bench client's framing and reply scan (no sockets).
#include <gtest/gtest.h>

#include <string>

#include "reply_scan.h"
#include "ws/ws_codec.h"
#include "ws_client_frame.h"

namespace asobi::bench {
namespace {

// Decodes a client frame the way a server would: returns the unmasked payload.
std::string Unmask(const std::string& frame, uint8_t* opcode) {
  EXPECT_GE(frame.size(), 6u);
  *opcode = uint8_t(frame[0]) & 0x0F;
  EXPECT_TRUE(uint8_t(frame[0]) & 0x80);  // FIN
  EXPECT_TRUE(uint8_t(frame[1]) & 0x80);  // MASK bit
  uint64_t len = uint8_t(frame[1]) & 0x7F;
  size_t h = 2;
  if (len == 126) {
    len = (uint64_t(uint8_t(frame[2])) << 8) | uint8_t(frame[3]);
    h = 4;
  } else if (len == 127) {
    len = 0;
    for (int i = 2; i < 10; ++i) len = (len << 8) | uint8_t(frame[size_t(i)]);
    h = 10;
  }
  const char* key = frame.data() + h;
  std::string payload = frame.substr(h + 4);
  EXPECT_EQ(payload.size(), len);
  for (size_t i = 0; i < payload.size(); ++i) payload[i] = char(payload[i] ^ key[i % 4]);
  return payload;
}

TEST(MaskedFrame, RoundTripsAllLengthEncodings) {
  for (size_t n : {0u, 1u, 7u, 8u, 9u, 125u, 126u, 65535u, 65536u, 70000u}) {
    std::string payload(n, 'x');
    for (size_t i = 0; i < n; ++i) payload[i] = char('a' + i % 26);
    std::string frame;
    AppendMaskedFrame(kOpText, payload, 0xA1B2C3D4u, &frame);
    uint8_t op = 0;
    EXPECT_EQ(Unmask(frame, &op), payload) << n;
    EXPECT_EQ(op, kOpText);
  }
}

TEST(MaskedFrame, PartsAreConcatenatedAndMaskedAcrossBoundaries) {
  std::string_view parts[3] = {R"({"cid":")", "12345", R"(","type":"x"})"};
  std::string frame;
  AppendMaskedFrameParts(kOpText, parts, 3, 0x01020304u, &frame);
  uint8_t op = 0;
  EXPECT_EQ(Unmask(frame, &op), R"({"cid":"12345","type":"x"})");
  // A non-trivial key actually changes the bytes on the wire.
  EXPECT_EQ(frame.find("cid"), std::string::npos);
}

TEST(MaskedFrame, CloseCarriesCodeAndShortReason) {
  std::string frame;
  AppendMaskedClose(1000, std::string(200, 'r'), 0x55555555u, &frame);
  uint8_t op = 0;
  std::string p = Unmask(frame, &op);
  EXPECT_EQ(op, kOpClose);
  ASSERT_EQ(p.size(), 125u);
  EXPECT_EQ(uint8_t(p[0]), 0x03);
  EXPECT_EQ(uint8_t(p[1]), 0xE8);
}

TEST(ServerFrame, DecodesServerEncodedFramesIncrementally) {
  std::string wire;
  WsCodec::EncodeServerTextFrame("hello", &wire);
  WsCodec::EncodeServerTextFrame(std::string(300, 'y'), &wire);
  WsCodec::EncodeServerTextFrame(std::string(70000, 'z'), &wire);
  size_t off = 0;
  std::vector<size_t> sizes;
  while (off < wire.size()) {
    ServerFrame f;
    size_t used = 0;
    // Every strict prefix of the next frame is "need more".
    FrameParse p = ParseServerFrame(std::string_view(wire).substr(off), 1 << 20, &f, &used);
    ASSERT_EQ(p, FrameParse::kFrame);
    for (size_t cut : {size_t(0), size_t(1), used / 2, used - 1}) {
      ServerFrame g;
      size_t u2 = 0;
      EXPECT_EQ(ParseServerFrame(std::string_view(wire).substr(off, cut), 1 << 20, &g, &u2),
                FrameParse::kNeedMore);
    }
    EXPECT_EQ(f.opcode, kOpText);
    EXPECT_TRUE(f.fin);
    sizes.push_back(f.payload.size());
    off += used;
  }
  EXPECT_EQ(sizes, (std::vector<size_t>{5, 300, 70000}));
}

TEST(ServerFrame, RejectsMalformedFrames) {
  ServerFrame f;
  size_t used = 0;
  auto parse = [&](std::string s, uint64_t max = 1 << 20) {
    return ParseServerFrame(s, max, &f, &used);
  };
  EXPECT_EQ(parse(std::string("\x81\x85\0\0\0\0hello", 11)), FrameParse::kBad);  // masked
  EXPECT_EQ(parse("\xC1\x01x"), FrameParse::kBad);                               // RSV1
  EXPECT_EQ(parse(std::string("\x83\x00", 2)), FrameParse::kBad);                // opcode 3
  EXPECT_EQ(parse(std::string("\x09\x00", 2)), FrameParse::kBad);                // fragmented ping
  EXPECT_EQ(parse(std::string("\x89\x7E\x00\x80", 4)), FrameParse::kBad);        // ping > 125 bytes
  EXPECT_EQ(parse("\x81\x05hello", 4), FrameParse::kBad);                        // over the maximum
  EXPECT_EQ(parse(std::string("\x82\x7F\x80\0\0\0\0\0\0\0", 10)), FrameParse::kBad);
  EXPECT_EQ(parse(std::string("\x88\x02\x03\xE8", 4)), FrameParse::kFrame);
  EXPECT_EQ(f.opcode, kOpClose);
}

TEST(ReplyScan, FindsTypeAndCid) {
  ReplyScan r = ScanReply(R"({"type":"session.heartbeat","cid":"42","payload":{"ts":1}})");
  EXPECT_EQ(r.type, "session.heartbeat");
  EXPECT_FALSE(r.is_error);
  EXPECT_TRUE(r.has_cid);
  EXPECT_TRUE(r.cid_numeric);
  EXPECT_EQ(r.cid_value, 42u);

  r = ScanReply(R"({ "type" : "error", "cid" : 7, "payload":{"reason":"x"}})");
  EXPECT_TRUE(r.is_error);
  EXPECT_TRUE(r.cid_numeric);
  EXPECT_EQ(r.cid_value, 7u);

  r = ScanReply(R"({"type":"error","payload":{"reason":"rate_limited"}})");
  EXPECT_TRUE(r.is_error);
  EXPECT_FALSE(r.has_cid);

  r = ScanReply(R"({"type":"session.connected","cid":"a","payload":{}})");
  EXPECT_TRUE(r.has_cid);
  EXPECT_FALSE(r.cid_numeric);
  EXPECT_EQ(r.cid, "a");
}

TEST(ReplyScan, SurvivesGarbage) {
  for (const char* s : {"", "{", "\"cid\"", "\"cid\":", "{\"cid\":\"12",
                        "{\"type\":", "{\"cid\":\"99999999999999999999\"}", "\"type\"\"cid\""}) {
    ReplyScan r = ScanReply(s);
    EXPECT_FALSE(r.cid_numeric) << s;
  }
}

}  // namespace
}  // namespace asobi::bench

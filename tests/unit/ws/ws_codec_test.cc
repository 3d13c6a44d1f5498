#include "ws/ws_codec.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "ws_codec_recorder.h"

namespace asobi {
namespace {

using namespace ws_test;  // NOLINT(google-build-using-namespace)

TEST(WsCodec, DecodesMaskedTextFrame) {
  Recorder r;
  WsCodec codec(&r);
  codec.Feed(ClientFrame(kText, R"({"type":"session.heartbeat"})"));
  ASSERT_EQ(r.texts.size(), 1u);
  EXPECT_EQ(r.texts[0], R"({"type":"session.heartbeat"})");
  EXPECT_TRUE(r.out.empty());
  EXPECT_EQ(r.protocol_errors, 0);
  EXPECT_TRUE(codec.can_send());
}

TEST(WsCodec, SeveralMessagesInOneFeedAndEmptyMessage) {
  Recorder r;
  WsCodec codec(&r);
  codec.Feed(ClientFrame(kText, "a") + ClientFrame(kText, "") + ClientFrame(kText, "ccc"));
  EXPECT_EQ(r.texts, (std::vector<std::string>{"a", "", "ccc"}));
}

TEST(WsCodec, MessageSplitAcrossFeeds) {
  Recorder r;
  WsCodec codec(&r);
  std::string frame = ClientFrame(kText, std::string(300, 'x'));  // 16-bit length form
  codec.Feed(std::string_view(frame).substr(0, 3));
  codec.Feed(std::string_view(frame).substr(3, 100));
  EXPECT_TRUE(r.texts.empty());
  codec.Feed(std::string_view(frame).substr(103));
  ASSERT_EQ(r.texts.size(), 1u);
  EXPECT_EQ(r.texts[0], std::string(300, 'x'));
}

TEST(WsCodec, ReassemblesFragmentsFedOneByteAtATime) {
  Recorder r;
  WsCodec codec(&r);
  // "ü" (C3 BC) is split across the first and second fragment.
  std::string part1 = "Hello, w\xC3";
  std::string part2 = "\xBCrld ";
  std::string part3 = "and more text!";
  std::string stream = ClientFrame(kText, part1, /*fin=*/false, true, 0x01020304) +
                       ClientFrame(kCont, part2, false, true, 0xa1b2c3d4) +
                       ClientFrame(kPing, "p", true, true, 0x55aa55aa) +  // between fragments
                       ClientFrame(kCont, part3, true, true, 0xdeadbeef);
  FeedBytewise(codec, stream);
  ASSERT_EQ(r.texts.size(), 1u);
  EXPECT_EQ(r.texts[0], part1 + part2 + part3);
  std::vector<Frame> frames = r.OutFrames();
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].opcode, kPong);
  EXPECT_EQ(frames[0].payload, "p");
  EXPECT_EQ(r.protocol_errors, 0);
}

TEST(WsCodec, ReassemblesFragmentsFedAtOddBoundaries) {
  Recorder r;
  WsCodec codec(&r);
  std::string a(1000, 'a'), b(3, 'b'), c(5001, 'c');
  std::string stream = ClientFrame(kText, a, false) + ClientFrame(kCont, b, false) +
                       ClientFrame(kCont, c, true) + ClientFrame(kText, "next");
  for (size_t pos = 0, step = 1; pos < stream.size(); pos += step, step = step * 3 % 1013 + 1) {
    codec.Feed(std::string_view(stream).substr(pos, step));
  }
  EXPECT_EQ(r.texts, (std::vector<std::string>{a + b + c, "next"}));
}

TEST(WsCodec, PingIsAnsweredWithPong) {
  Recorder r;
  WsCodec codec(&r);
  codec.Feed(ClientFrame(kPing, "are you there"));
  std::vector<Frame> frames = r.OutFrames();
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_TRUE(frames[0].fin);
  EXPECT_EQ(frames[0].opcode, kPong);
  EXPECT_EQ(frames[0].payload, "are you there");
  EXPECT_TRUE(r.texts.empty());
}

TEST(WsCodec, UnsolicitedPongIsIgnored) {
  Recorder r;
  WsCodec codec(&r);
  codec.Feed(ClientFrame(kPong, "x") + ClientFrame(kText, "after"));
  EXPECT_TRUE(r.out.empty());
  EXPECT_EQ(r.texts, std::vector<std::string>{"after"});
}

TEST(WsCodec, PeerCloseIsEchoedAndReported) {
  Recorder r;
  WsCodec codec(&r);
  codec.Feed(ClientFrame(kClose, ClosePayload(1000, "bye")));
  ASSERT_EQ(r.closes.size(), 1u);
  EXPECT_EQ(r.closes[0].first, 1000);
  EXPECT_EQ(r.closes[0].second, "bye");
  EXPECT_EQ(OnlyClose(r).first, 1000);
  EXPECT_TRUE(codec.close_received());
  EXPECT_TRUE(codec.close_sent());
  EXPECT_TRUE(codec.closed());
  EXPECT_FALSE(codec.failed());
  EXPECT_FALSE(codec.can_send());
  EXPECT_FALSE(codec.SendText("too late"));
  // Anything after the close is ignored.
  size_t out_before = r.out.size();
  codec.Feed(ClientFrame(kText, "ignored") + ClientFrame(kPing, "x"));
  EXPECT_TRUE(r.texts.empty());
  EXPECT_EQ(r.out.size(), out_before);
  EXPECT_EQ(r.protocol_errors, 0);
}

TEST(WsCodec, PeerCloseWithoutStatusCode) {
  Recorder r;
  WsCodec codec(&r);
  codec.Feed(ClientFrame(kClose, ""));
  ASSERT_EQ(r.closes.size(), 1u);
  EXPECT_EQ(r.closes[0].first, 1005);
  EXPECT_EQ(OnlyClose(r).first, 0);  // reply without status code
  EXPECT_TRUE(codec.closed());
}

TEST(WsCodec, PeerCloseWithInvalidCodeIsProtocolError) {
  for (uint16_t code : {uint16_t(999), uint16_t(1005), uint16_t(1006), uint16_t(5000)}) {
    Recorder r;
    WsCodec codec(&r);
    codec.Feed(ClientFrame(kClose, ClosePayload(code)));
    EXPECT_EQ(r.protocol_errors, 1) << code;
    EXPECT_TRUE(r.closes.empty());
    EXPECT_EQ(OnlyClose(r).first, 1002) << code;
    EXPECT_EQ(codec.close_code_sent(), 1002);
  }
}

TEST(WsCodec, ServerInitiatedClose) {
  Recorder r;
  WsCodec codec(&r);
  codec.SendClose(1008, "rate_limited");
  auto sent = OnlyClose(r);
  EXPECT_EQ(sent.first, 1008);
  EXPECT_EQ(sent.second, "rate_limited");
  EXPECT_TRUE(codec.close_sent());
  EXPECT_FALSE(codec.closed());
  EXPECT_FALSE(codec.can_send());
  EXPECT_FALSE(codec.SendText("x"));
  codec.SendClose(1000, "");  // second close is a no-op
  r.out.clear();
  // Data still in flight from the peer is discarded; its close reply completes the handshake.
  codec.Feed(ClientFrame(kText, "late") + ClientFrame(kClose, ClosePayload(1008)));
  EXPECT_TRUE(r.texts.empty());
  ASSERT_EQ(r.closes.size(), 1u);
  EXPECT_EQ(r.closes[0].first, 1008);
  EXPECT_TRUE(r.out.empty());  // no second close frame
  EXPECT_TRUE(codec.closed());
  EXPECT_EQ(r.protocol_errors, 0);
  EXPECT_EQ(codec.close_code_sent(), 1008);
}

TEST(WsCodec, SendCloseCutsLongReasonAtUtf8Boundary) {
  Recorder r;
  WsCodec codec(&r);
  std::string reason = std::string(122, 'r') + "\xC3\xA9" + "tail";  // é straddles byte 123
  codec.SendClose(1000, reason);
  EXPECT_EQ(OnlyClose(r).second, std::string(122, 'r'));
}

TEST(WsCodec, UnmaskedClientFrameIsProtocolError) {
  Recorder r;
  WsCodec codec(&r);
  codec.Feed(ClientFrame(kText, "hello", true, /*masked=*/false));
  EXPECT_TRUE(r.texts.empty());
  EXPECT_EQ(r.protocol_errors, 1);
  EXPECT_EQ(OnlyClose(r).first, 1002);
  EXPECT_TRUE(codec.failed());
  EXPECT_TRUE(codec.closed());
  EXPECT_FALSE(codec.SendText("x"));
  codec.Feed(ClientFrame(kText, "more"));  // ignored, no second report
  EXPECT_EQ(r.protocol_errors, 1);
  EXPECT_TRUE(r.texts.empty());
}

TEST(WsCodec, FrameSequenceViolationsAreProtocolErrors) {
  struct Case {
    const char* name;
    std::string bytes;
  };
  std::string non_minimal16 = "\x81\xFE";  // 16-bit length 5 (< 126)
  non_minimal16 += std::string("\x00\x05", 2) + "\x01\x02\x03\x04" + "abcde";
  std::string non_minimal64 = "\x81\xFF";  // 64-bit length 5 (< 65536)
  non_minimal64 +=
      std::string("\x00\x00\x00\x00\x00\x00\x00\x05", 8) + "\x01\x02\x03\x04" + "abcde";
  std::string rsv = ClientFrame(kText, "x");
  rsv[0] = char(rsv[0] | 0x40);  // RSV1 without a negotiated extension
  std::vector<Case> cases = {
      {"continuation without start", ClientFrame(kCont, "x")},
      {"new text inside fragmented message",
       ClientFrame(kText, "a", false) + ClientFrame(kText, "b")},
      {"reserved data opcode", ClientFrame(0x3, "x")},
      {"reserved control opcode", ClientFrame(0xB, "x")},
      {"fragmented ping", ClientFrame(kPing, "x", /*fin=*/false)},
      {"control frame over 125 bytes", ClientFrame(kPing, std::string(126, 'p'))},
      {"non-minimal 16-bit length", non_minimal16},
      {"non-minimal 64-bit length", non_minimal64},
      {"rsv bit", rsv},
  };
  for (const Case& c : cases) {
    Recorder r;
    WsCodec codec(&r);
    codec.Feed(c.bytes);
    EXPECT_EQ(r.protocol_errors, 1) << c.name;
    EXPECT_TRUE(r.texts.empty()) << c.name;
    EXPECT_EQ(OnlyClose(r).first, 1002) << c.name;
    EXPECT_EQ(codec.close_code_sent(), 1002) << c.name;
    EXPECT_TRUE(codec.closed()) << c.name;
  }
}

TEST(WsCodec, BinaryFrameReportsSizeOnly) {
  Recorder r;
  WsCodec codec(&r);
  codec.Feed(ClientFrame(kBinary, std::string("\x00\x01\x02\xff\xfe", 5)));
  EXPECT_EQ(r.binaries, std::vector<size_t>{5});
  // Binary content is not checked for UTF-8 and may be larger than the text limit.
  codec.Feed(ClientFrame(kBinary, std::string(100000, '\xff')));
  EXPECT_EQ(r.binaries, (std::vector<size_t>{5, 100000}));
  EXPECT_TRUE(r.texts.empty());
  EXPECT_TRUE(r.too_large.empty());
  EXPECT_EQ(r.protocol_errors, 0);
}

TEST(WsCodec, TextAtLimitIsDeliveredOneMoreByteIsTooLarge) {
  Recorder r;
  WsCodec codec(&r);
  codec.Feed(ClientFrame(kText, std::string(WsCodec::kMaxTextBytes, 'a')));
  ASSERT_EQ(r.texts.size(), 1u);
  EXPECT_EQ(r.texts[0].size(), WsCodec::kMaxTextBytes);
  codec.Feed(ClientFrame(kText, std::string(WsCodec::kMaxTextBytes + 1, 'a')));
  EXPECT_EQ(r.too_large, std::vector<size_t>{WsCodec::kMaxTextBytes + 1});
  EXPECT_EQ(r.texts.size(), 1u);
}

TEST(WsCodec, TooLargeMessageKeepsConnectionUsable) {
  Recorder r;
  WsCodec codec(&r);
  codec.Feed(ClientFrame(kText, std::string(70000, 'z')));
  EXPECT_EQ(r.too_large, std::vector<size_t>{70000});
  EXPECT_TRUE(r.texts.empty());
  EXPECT_EQ(r.protocol_errors, 0);
  EXPECT_TRUE(r.out.empty());
  EXPECT_TRUE(codec.can_send());
  // Fragmented: 40000 + 30000, fed in small pieces.
  std::string stream = ClientFrame(kText, std::string(40000, 'y'), false) +
                       ClientFrame(kCont, std::string(30000, 'y'), true) +
                       ClientFrame(kText, "still works");
  for (size_t pos = 0; pos < stream.size(); pos += 1500) {
    codec.Feed(std::string_view(stream).substr(pos, 1500));
  }
  EXPECT_EQ(r.too_large, (std::vector<size_t>{70000, 70000}));
  EXPECT_EQ(r.texts, std::vector<std::string>{"still works"});
}

TEST(WsCodec, MessageOverOneMebibyteFailsWith1009) {
  {
    Recorder r;
    WsCodec codec(&r);
    codec.Feed(ClientFrame(kText, std::string(WsCodec::kMaxMessageBytes + 1, 'a')));
    EXPECT_EQ(r.protocol_errors, 1);
    EXPECT_TRUE(r.too_large.empty());
    EXPECT_EQ(OnlyClose(r).first, 1009);
  }
  {  // exactly 1 MiB is still a (too large) message
    Recorder r;
    WsCodec codec(&r);
    codec.Feed(ClientFrame(kText, std::string(WsCodec::kMaxMessageBytes, 'a')));
    EXPECT_EQ(r.too_large, std::vector<size_t>{WsCodec::kMaxMessageBytes});
    EXPECT_EQ(r.protocol_errors, 0);
  }
  {  // fragments summing past 1 MiB; each fragment alone is allowed
    Recorder r;
    WsCodec codec(&r);
    std::string half(WsCodec::kMaxMessageBytes / 2 + 1, 'b');
    codec.Feed(ClientFrame(kBinary, half, false) + ClientFrame(kCont, half, true));
    EXPECT_EQ(r.protocol_errors, 1);
    EXPECT_TRUE(r.binaries.empty());
    EXPECT_EQ(OnlyClose(r).first, 1009);
  }
  {  // a 64-bit length near 2^63 is refused from the header alone
    Recorder r;
    WsCodec codec(&r);
    std::string f = "\x81\xFF";
    f += std::string("\x7f\xff\xff\xff\xff\xff\xff\xff", 8) + "\x01\x02\x03\x04" + "abc";
    codec.Feed(f);
    EXPECT_EQ(r.protocol_errors, 1);
    EXPECT_EQ(OnlyClose(r).first, 1009);
  }
}

// The codec validates UTF-8 of text messages (and close reasons) incrementally and fails the
// connection with 1007 at the first invalid byte; the message is never delivered.
TEST(WsCodec, InvalidUtf8TextFailsWith1007) {
  for (std::string bad : {std::string("\xff"), std::string("ab\xC3"), std::string("\xED\xA0\x80"),
                          std::string("\xC0\xAF")}) {
    Recorder r;
    WsCodec codec(&r);
    codec.Feed(ClientFrame(kText, bad));
    EXPECT_TRUE(r.texts.empty());
    EXPECT_EQ(r.protocol_errors, 1);
    EXPECT_EQ(OnlyClose(r).first, 1007);
  }
  {  // a character split across fragments that never completes
    Recorder r;
    WsCodec codec(&r);
    codec.Feed(ClientFrame(kText, "a\xE2\x82", false) + ClientFrame(kCont, "b", true));
    EXPECT_EQ(r.protocol_errors, 1);
    EXPECT_EQ(OnlyClose(r).first, 1007);
  }
  {  // invalid UTF-8 in a close reason
    Recorder r;
    WsCodec codec(&r);
    codec.Feed(ClientFrame(kClose, ClosePayload(1000, "\xff")));
    EXPECT_EQ(r.protocol_errors, 1);
    EXPECT_TRUE(r.closes.empty());
    EXPECT_EQ(OnlyClose(r).first, 1007);
  }
}

TEST(WsCodec, GarbageBytesFailTheConnection) {
  Recorder r;
  WsCodec codec(&r);
  codec.Feed("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(r.protocol_errors, 1);
  EXPECT_TRUE(r.texts.empty());
  EXPECT_TRUE(codec.closed());
  std::vector<Frame> frames = r.OutFrames();
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].opcode, kClose);
}

TEST(WsCodec, RepliesFromInsideOnTextKeepOrder) {
  Recorder r;
  WsCodec codec(&r);
  r.on_text = [&](std::string_view msg) { EXPECT_TRUE(codec.SendText(std::string(msg) + "!")); };
  codec.Feed(ClientFrame(kPing, "1") + ClientFrame(kText, "a") + ClientFrame(kPing, "2") +
             ClientFrame(kText, "b"));
  std::vector<Frame> frames = r.OutFrames();
  ASSERT_EQ(frames.size(), 4u);
  EXPECT_EQ(frames[0].opcode, kPong);
  EXPECT_EQ(frames[0].payload, "1");
  EXPECT_EQ(frames[1].opcode, kText);
  EXPECT_EQ(frames[1].payload, "a!");
  EXPECT_EQ(frames[2].opcode, kPong);
  EXPECT_EQ(frames[3].payload, "b!");
}

TEST(WsCodec, CloseFromInsideOnTextDropsLaterMessages) {
  Recorder r;
  WsCodec codec(&r);
  r.on_text = [&](std::string_view) { codec.SendClose(1008, "idle_auth_timeout"); };
  codec.Feed(ClientFrame(kText, "first") + ClientFrame(kText, "second"));
  EXPECT_EQ(r.texts, std::vector<std::string>{"first"});
  EXPECT_EQ(OnlyClose(r).first, 1008);
  EXPECT_FALSE(codec.closed());
}

TEST(WsCodec, SendTextAndBinaryInterleaveWithPreEncodedFrames) {
  Recorder r;
  WsCodec codec(&r);
  SharedBuffer shared = WsCodec::EncodeTextFrameShared("fan-out");
  EXPECT_TRUE(codec.SendText("one"));
  r.OnOutput(shared.view());  // the owner appends a pre-encoded frame
  EXPECT_TRUE(codec.SendBinary(std::string("\x01\x02", 2)));
  EXPECT_TRUE(codec.SendText(""));
  std::vector<Frame> frames = r.OutFrames();
  ASSERT_EQ(frames.size(), 4u);
  EXPECT_EQ(frames[0].payload, "one");
  EXPECT_EQ(frames[1].payload, "fan-out");
  EXPECT_EQ(frames[2].opcode, kBinary);
  EXPECT_EQ(frames[2].payload, std::string("\x01\x02", 2));
  EXPECT_EQ(frames[3].payload, "");
}

TEST(WsCodec, EncodeServerTextFrameAllLengthForms) {
  struct Case {
    size_t size;
    size_t header_bytes;
  };
  for (Case c :
       {Case{0, 2}, Case{125, 2}, Case{126, 4}, Case{65535, 4}, Case{65536, 10}, Case{70000, 10}}) {
    std::string payload(c.size, 'q');
    for (size_t i = 0; i < payload.size(); ++i) payload[i] = char('a' + i % 26);
    std::string out = "prefix";  // Encode* appends
    WsCodec::EncodeServerTextFrame(payload, &out);
    ASSERT_EQ(out.substr(0, 6), "prefix");
    std::vector<Frame> frames;
    ASSERT_TRUE(DecodeFrames(std::string_view(out).substr(6), &frames)) << c.size;
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_TRUE(frames[0].fin);
    EXPECT_EQ(frames[0].rsv, 0);
    EXPECT_EQ(frames[0].opcode, kText);
    EXPECT_FALSE(frames[0].masked);
    EXPECT_EQ(frames[0].header_bytes, c.header_bytes) << c.size;
    EXPECT_EQ(WsCodec::ServerFrameHeaderSize(c.size), c.header_bytes);
    EXPECT_EQ(frames[0].payload, payload);
    EXPECT_EQ(WsCodec::EncodeTextFrameShared(payload).view(), std::string_view(out).substr(6));
  }
}

TEST(WsCodec, EncodeBinaryFrame) {
  std::string out;
  WsCodec::EncodeServerBinaryFrame(std::string(200, '\0'), &out);
  std::vector<Frame> frames;
  ASSERT_TRUE(DecodeFrames(out, &frames));
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].opcode, kBinary);
  EXPECT_EQ(frames[0].payload, std::string(200, '\0'));
  EXPECT_EQ(WsCodec::EncodeBinaryFrameShared(std::string(200, '\0')).view(), out);
}

TEST(WsCodec, EncodeCloseFrame) {
  std::string out;
  WsCodec::EncodeCloseFrame(1008, "origin_rejected", &out);
  EXPECT_EQ(out, std::string("\x88\x11\x03\xF0", 4) + "origin_rejected");
  out.clear();
  WsCodec::EncodeCloseFrame(0, "ignored", &out);
  EXPECT_EQ(out, std::string("\x88\x00", 2));
  out.clear();
  WsCodec::EncodeCloseFrame(1000, std::string(200, 'x'), &out);
  std::vector<Frame> frames;
  ASSERT_TRUE(DecodeFrames(out, &frames));
  EXPECT_EQ(frames[0].payload.size(), 125u);
}

TEST(WsCodec, StaysSmall) {
  // One per connection: keep the object itself small (wslay's context is separate).
  EXPECT_LE(sizeof(WsCodec), 128u);
}

}  // namespace
}  // namespace asobi

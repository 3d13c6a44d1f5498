// WsCodec: RFC 6455 rules the codec enforces itself on top of wslay's frame parser
// (fragment sequencing, UTF-8 across fragments, control frames, close codes, RSV and mask
// bits), each checked with the input split in several ways.
#include <gtest/gtest.h>
#include <malloc.h>

#include <cstdio>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ws/ws_codec.h"
#include "ws_codec_recorder.h"

namespace asobi {
namespace {

using namespace ws_test;  // NOLINT(google-build-using-namespace)

// Feeds `bytes` whole, byte by byte, and in 7-byte pieces, each into a fresh codec, and runs
// `check` on each.
template <typename Check>
void ForEachSplit(const std::string& bytes, Check check) {
  for (size_t piece : {bytes.size(), size_t(1), size_t(7)}) {
    Recorder r;
    WsCodec codec(&r);
    for (size_t pos = 0; pos < bytes.size(); pos += piece) {
      codec.Feed(std::string_view(bytes).substr(pos, piece));
    }
    check(r, codec, piece);
  }
}

TEST(WsCodecRules, Utf8CharactersSplitAcrossFragments) {
  // A 4-byte character spread over three fragments, a 3-byte one over two, and empty
  // fragments in between.
  std::string stream = ClientFrame(kText, "a\xF0", false) + ClientFrame(kCont, "\x9F\x98", false) +
                       ClientFrame(kCont, "", false) + ClientFrame(kCont, "\x80\xE2\x82", false) +
                       ClientFrame(kCont, "\xAC", true);
  ForEachSplit(stream, [](Recorder& r, WsCodec&, size_t piece) {
    EXPECT_EQ(r.texts, std::vector<std::string>{"a\xF0\x9F\x98\x80\xE2\x82\xAC"}) << piece;
    EXPECT_EQ(r.protocol_errors, 0) << piece;
  });
}

TEST(WsCodecRules, InvalidUtf8FailsBeforeTheMessageEnds) {
  // The second fragment holds a surrogate; the connection fails without waiting for FIN.
  Recorder r;
  WsCodec codec(&r);
  codec.Feed(ClientFrame(kText, "ok", false) + ClientFrame(kCont, "\xED\xA0\x80", false));
  EXPECT_EQ(r.protocol_errors, 1);
  EXPECT_EQ(OnlyClose(r).first, 1007);
  EXPECT_TRUE(codec.closed());
}

TEST(WsCodecRules, OversizeTextIsStillValidated) {
  std::string big(WsCodec::kMaxTextBytes + 10, 'a');
  big[WsCodec::kMaxTextBytes + 5] = '\xC0';
  Recorder r;
  WsCodec codec(&r);
  codec.Feed(ClientFrame(kText, big));
  EXPECT_TRUE(r.too_large.empty());
  EXPECT_EQ(r.protocol_errors, 1);
  EXPECT_EQ(OnlyClose(r).first, 1007);
}

TEST(WsCodecRules, ControlFramesBetweenFragmentsSplitAnywhere) {
  std::string ping_payload(125, 'p');  // the largest control frame, split by the feeds
  std::string stream = ClientFrame(kText, "first ", false) + ClientFrame(kPing, ping_payload) +
                       ClientFrame(kPong, "unsolicited") + ClientFrame(kCont, "second", true) +
                       ClientFrame(kText, "next");
  ForEachSplit(stream, [&](Recorder& r, WsCodec&, size_t piece) {
    EXPECT_EQ(r.texts, (std::vector<std::string>{"first second", "next"})) << piece;
    std::vector<Frame> frames = r.OutFrames();
    ASSERT_EQ(frames.size(), 1u) << piece;
    EXPECT_EQ(frames[0].opcode, kPong);
    EXPECT_EQ(frames[0].payload, ping_payload);
    EXPECT_EQ(r.protocol_errors, 0) << piece;
  });
}

TEST(WsCodecRules, CloseBetweenFragmentsEndsTheConnection) {
  std::string stream = ClientFrame(kText, "never ", false) +
                       ClientFrame(kClose, ClosePayload(1001, "going")) +
                       ClientFrame(kCont, "delivered", true);
  ForEachSplit(stream, [](Recorder& r, WsCodec& codec, size_t piece) {
    EXPECT_TRUE(r.texts.empty()) << piece;
    ASSERT_EQ(r.closes.size(), 1u) << piece;
    EXPECT_EQ(r.closes[0], (std::pair<uint16_t, std::string>{1001, "going"}));
    auto echoed = OnlyClose(r);
    EXPECT_EQ(echoed.first, 1001);
    EXPECT_EQ(echoed.second, "going");
    EXPECT_TRUE(codec.closed());
    EXPECT_FALSE(codec.failed());
  });
}

TEST(WsCodecRules, ControlFramesTooLongOrFragmentedAreProtocolErrors) {
  for (const std::string& bytes :
       {ClientFrame(kClose, ClosePayload(1000, std::string(124, 'r'))),  // 126 bytes
        ClientFrame(kPong, std::string(200, 'x')), ClientFrame(kClose, "", /*fin=*/false)}) {
    ForEachSplit(bytes, [](Recorder& r, WsCodec& codec, size_t piece) {
      EXPECT_EQ(r.protocol_errors, 1) << piece;
      EXPECT_TRUE(r.closes.empty()) << piece;
      EXPECT_EQ(OnlyClose(r).first, 1002) << piece;
      EXPECT_EQ(codec.close_code_sent(), 1002);
    });
  }
}

TEST(WsCodecRules, CloseWithOneBytePayloadIsProtocolError) {
  Recorder r;
  WsCodec codec(&r);
  codec.Feed(ClientFrame(kClose, "\x03"));
  EXPECT_EQ(r.protocol_errors, 1);
  EXPECT_TRUE(r.closes.empty());
  EXPECT_EQ(OnlyClose(r).first, 1002);
  EXPECT_FALSE(codec.close_received());
}

TEST(WsCodecRules, InvalidCloseCodes) {
  for (uint16_t code : {0, 999, 1004, 1005, 1006, 1012, 1015, 1016, 2000, 2999, 5000, 65535}) {
    Recorder r;
    WsCodec codec(&r);
    codec.Feed(ClientFrame(kClose, ClosePayload(uint16_t(code), "x")));
    EXPECT_EQ(r.protocol_errors, 1) << code;
    EXPECT_TRUE(r.closes.empty()) << code;
    EXPECT_EQ(OnlyClose(r).first, 1002) << code;
  }
}

TEST(WsCodecRules, ValidCloseCodesAreEchoed) {
  for (uint16_t code : {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 4999}) {
    Recorder r;
    WsCodec codec(&r);
    codec.Feed(ClientFrame(kClose, ClosePayload(code)));
    EXPECT_EQ(r.protocol_errors, 0) << code;
    ASSERT_EQ(r.closes.size(), 1u) << code;
    EXPECT_EQ(r.closes[0].first, code);
    EXPECT_EQ(OnlyClose(r).first, code);
    EXPECT_EQ(codec.close_code_sent(), code);
  }
}

TEST(WsCodecRules, AnyRsvBitIsProtocolError) {
  for (uint8_t bit : {0x40, 0x20, 0x10}) {
    for (uint8_t opcode : {kText, kBinary, kPing, kClose}) {
      std::string frame = ClientFrame(opcode, "");
      frame[0] = char(frame[0] | bit);
      Recorder r;
      WsCodec codec(&r);
      codec.Feed(frame);
      EXPECT_EQ(r.protocol_errors, 1) << int(bit) << " " << int(opcode);
      EXPECT_EQ(OnlyClose(r).first, 1002);
    }
  }
}

TEST(WsCodecRules, UnmaskedFramesAreProtocolErrors) {
  for (uint8_t opcode : {kText, kBinary, kPing, kClose, kCont}) {
    Recorder r;
    WsCodec codec(&r);
    codec.Feed(ClientFrame(opcode, "", true, /*masked=*/false));
    EXPECT_EQ(r.protocol_errors, 1) << int(opcode);
    EXPECT_EQ(OnlyClose(r).first, 1002);
    EXPECT_TRUE(r.out.find('\x8A') == std::string::npos);  // no pong either
  }
}

TEST(WsCodecRules, NewDataFrameInsideFragmentedMessage) {
  Recorder r;
  WsCodec codec(&r);
  codec.Feed(ClientFrame(kBinary, "a", false) + ClientFrame(kBinary, "b"));
  EXPECT_EQ(r.protocol_errors, 1);
  EXPECT_TRUE(r.binaries.empty());
  EXPECT_EQ(OnlyClose(r).first, 1002);
}

TEST(WsCodecRules, ContinuationAfterCompletedMessage) {
  Recorder r;
  WsCodec codec(&r);
  codec.Feed(ClientFrame(kText, "done") + ClientFrame(kCont, "more"));
  EXPECT_EQ(r.texts, std::vector<std::string>{"done"});
  EXPECT_EQ(r.protocol_errors, 1);
  EXPECT_EQ(OnlyClose(r).first, 1002);
}

TEST(WsCodecRules, AfterOurCloseNoPongAndPeerErrorsAreStillFailures) {
  Recorder r;
  WsCodec codec(&r);
  codec.SendClose(1001, "bye");
  r.out.clear();
  codec.Feed(ClientFrame(kPing, "x"));
  EXPECT_TRUE(r.out.empty());  // no pong after a close
  codec.Feed(ClientFrame(kClose, ClosePayload(1005)));
  EXPECT_EQ(r.protocol_errors, 1);
  EXPECT_TRUE(r.out.empty());  // no second close
  EXPECT_EQ(codec.close_code_sent(), 1001);
  EXPECT_TRUE(codec.failed());
}

TEST(WsCodecRules, ServerCloseWithoutCode) {
  Recorder r;
  WsCodec codec(&r);
  EXPECT_EQ(codec.close_code_sent(), 1006);
  codec.SendClose(0, "dropped");
  EXPECT_EQ(OnlyClose(r).first, 0);
  EXPECT_EQ(codec.close_code_sent(), 1005);
}

TEST(WsCodecRules, IdleCodecsHoldNoFrameContext) {
  // Memory of a held connection: the codec object; the wslay frame context goes back to a
  // per-thread spare whenever a Feed ends on a frame boundary. Measured with glibc's heap
  // counters (under sanitizers they stay 0, and the bound holds trivially).
  constexpr size_t kCodecs = 1000;
  Recorder r;
  std::vector<std::unique_ptr<WsCodec>> codecs;
  codecs.reserve(kCodecs);
  std::string heartbeat = ClientFrame(kText, R"({"type":"session.heartbeat"})");
  size_t before = mallinfo2().uordblks;
  for (size_t i = 0; i < kCodecs; ++i) {
    codecs.push_back(std::make_unique<WsCodec>(&r));
    codecs.back()->Feed(heartbeat);
  }
  size_t per_codec = (mallinfo2().uordblks - before) / kCodecs;
  EXPECT_EQ(r.texts.size(), kCodecs);
  EXPECT_LE(sizeof(WsCodec), 128u);
  EXPECT_LT(per_codec, 512u);  // a held wslay frame context alone would be > 4 KiB
  std::printf("[ measure  ] sizeof(WsCodec) %zu bytes, heap per idle codec %zu bytes\n",
              sizeof(WsCodec), per_codec);
}

}  // namespace
}  // namespace asobi

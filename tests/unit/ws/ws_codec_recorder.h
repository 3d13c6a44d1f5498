// Test-side WsCodec::Listener that records everything the codec reports, and helpers to
// inspect its output. Shared by the WsCodec unit tests.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ws/ws_codec.h"
#include "ws_test_frames.h"

namespace asobi::ws_test {

struct Recorder : WsCodec::Listener {
  std::vector<std::string> texts;
  std::vector<size_t> binaries;
  std::vector<size_t> too_large;
  std::vector<std::pair<uint16_t, std::string>> closes;
  int protocol_errors = 0;
  std::string out;
  std::function<void(std::string_view)> on_text;  // runs inside OnText (re-entrancy checks)

  void OnText(std::string_view msg) override {
    texts.emplace_back(msg);
    if (on_text) on_text(msg);
  }
  void OnBinary(size_t size) override { binaries.push_back(size); }
  void OnTooLarge(size_t size) override { too_large.push_back(size); }
  void OnClose(uint16_t code, std::string_view reason) override {
    closes.emplace_back(code, std::string(reason));
  }
  void OnProtocolError() override { ++protocol_errors; }
  void OnOutput(std::string_view bytes) override { out.append(bytes); }

  std::vector<Frame> OutFrames() {
    std::vector<Frame> frames;
    EXPECT_TRUE(DecodeFrames(out, &frames)) << "server output is not whole frames";
    for (const Frame& f : frames) EXPECT_FALSE(f.masked) << "server frames must be unmasked";
    return frames;
  }
};

// The single close frame the server wrote, as {code, reason}; code 0 for an empty payload.
inline std::pair<uint16_t, std::string> OnlyClose(Recorder& r) {
  std::vector<Frame> frames = r.OutFrames();
  EXPECT_EQ(frames.size(), 1u);
  if (frames.size() != 1 || frames[0].opcode != kClose) return {0xffff, "not a close"};
  const std::string& p = frames[0].payload;
  if (p.size() < 2) return {0, ""};
  return {uint16_t((uint8_t(p[0]) << 8) | uint8_t(p[1])), p.substr(2)};
}

inline void FeedBytewise(WsCodec& codec, std::string_view bytes) {
  for (char c : bytes) codec.Feed(std::string_view(&c, 1));
}

}  // namespace asobi::ws_test

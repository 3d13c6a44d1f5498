// Fuzz target for WsCodec: arbitrary client bytes, fed in input-derived chunk sizes. The
// codec must not crash, hang or leak, must only ever write whole unmasked frames, and must
// stop reporting anything once it has failed or received a close.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "ws/ws_codec.h"

namespace {

struct FuzzListener : asobi::WsCodec::Listener {
  asobi::WsCodec* codec = nullptr;
  size_t out_bytes = 0;
  bool finished = false;  // failed or close received: nothing else may be reported

  void Check(bool cond) {
    if (!cond) std::abort();
  }
  void OnText(std::string_view msg) override {
    Check(!finished && msg.size() <= asobi::WsCodec::kMaxTextBytes);
    codec->SendText(msg.substr(0, 16));  // exercise replies from inside Feed
  }
  void OnBinary(size_t size) override {
    Check(!finished && size <= asobi::WsCodec::kMaxMessageBytes);
  }
  void OnTooLarge(size_t size) override {
    Check(!finished && size > asobi::WsCodec::kMaxTextBytes &&
          size <= asobi::WsCodec::kMaxMessageBytes);
  }
  void OnClose(uint16_t, std::string_view reason) override {
    Check(!finished && reason.size() <= 123);
    finished = true;
  }
  void OnProtocolError() override {
    Check(!finished);
    finished = true;
  }
  void OnOutput(std::string_view bytes) override { out_bytes += bytes.size(); }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  // The first byte picks the chunking: 0 → everything at once, else a small PRNG seed.
  uint32_t state = data[0];
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  FuzzListener listener;
  asobi::WsCodec codec(&listener);
  listener.codec = &codec;
  while (!in.empty()) {
    size_t chunk = in.size();
    if (state != 0) {
      state = state * 1103515245u + 12345u;
      chunk = 1 + (state >> 16) % 64;
      if (chunk > in.size()) chunk = in.size();
    }
    codec.Feed(in.substr(0, chunk));
    in.remove_prefix(chunk);
  }
  if (listener.finished && !codec.closed()) std::abort();
  codec.SendClose(1000, "");
  codec.SendText("after close");  // must be refused silently
  return 0;
}

// WebSocket frame costs: decoding a small masked client text frame through WsCodec (wslay),
// and encoding server text frames for fan-out.
#include <benchmark/benchmark.h>

#include <string>
#include <string_view>

#include "ws/ws_codec.h"

namespace asobi {
namespace {

struct CountingListener : WsCodec::Listener {
  size_t texts = 0;
  void OnText(std::string_view msg) override { texts += msg.size(); }
  void OnBinary(size_t) override {}
  void OnTooLarge(size_t) override {}
  void OnClose(uint16_t, std::string_view) override {}
  void OnProtocolError() override {}
  void OnOutput(std::string_view) override {}
};

// A masked client text frame (payload < 126 bytes).
std::string MaskedTextFrame(std::string_view payload) {
  const unsigned char key[4] = {0x12, 0x34, 0x56, 0x78};
  std::string f;
  f.push_back(char(0x81));
  f.push_back(char(0x80 | payload.size()));
  f.append(reinterpret_cast<const char*>(key), 4);
  for (size_t i = 0; i < payload.size(); ++i) f.push_back(char(payload[i] ^ key[i % 4]));
  return f;
}

void BM_DecodeMaskedText60(benchmark::State& state) {
  std::string payload = R"({"type":"match.input","payload":{"x":1,"y":2},"cid":"7"})";
  payload.resize(60, ' ');
  std::string frame = MaskedTextFrame(payload);
  CountingListener listener;
  WsCodec codec(&listener);
  for (auto _ : state) codec.Feed(frame);
  if (listener.texts != 60 * size_t(state.iterations())) state.SkipWithError("lost messages");
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(frame.size()));
}
BENCHMARK(BM_DecodeMaskedText60);

void BM_EncodeServerText(benchmark::State& state) {
  std::string payload(size_t(state.range(0)), 'a');
  std::string out;
  for (auto _ : state) {
    out.clear();
    WsCodec::EncodeServerTextFrame(payload, &out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * state.range(0));
}
BENCHMARK(BM_EncodeServerText)->Arg(60)->Arg(1024);

void BM_EncodeTextFrameShared(benchmark::State& state) {
  std::string payload(size_t(state.range(0)), 'a');
  for (auto _ : state) {
    SharedBuffer b = WsCodec::EncodeTextFrameShared(payload);
    benchmark::DoNotOptimize(b.data());
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * state.range(0));
}
BENCHMARK(BM_EncodeTextFrameShared)->Arg(60)->Arg(1024);

}  // namespace
}  // namespace asobi

BENCHMARK_MAIN();

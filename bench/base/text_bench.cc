// The JSON string escaper and the UTF-8 decoder/validator of base/ (json_escape.h, utf8.h) on
// 4 KiB inputs of four shapes. Reports bytes/s; ns/byte = 1e9 / bytes_per_second.
#include <benchmark/benchmark.h>

#include <string>

#include "base/json_escape.h"
#include "base/utf8.h"

namespace asobi {
namespace {

constexpr size_t kBytes = 4096;

std::string Repeat(std::string_view unit) {
  std::string s;
  while (s.size() + unit.size() <= kBytes) s.append(unit);
  return s;
}

// 0: ASCII chat text; 1: Japanese (3-byte sequences); 2: ASCII with quotes and newlines
// every few bytes; 3: ill-formed bytes mixed into ASCII.
std::string Input(int shape) {
  switch (shape) {
    case 0:
      return Repeat("The quick brown fox jumps over the lazy dog. ");
    case 1:
      return Repeat("\xE3\x81\x93\xE3\x82\x93\xE3\x81\xAB\xE3\x81\xA1\xE3\x81\xAF ");
    case 2:
      return Repeat("say \"hi\"\n\\ ");
    default:
      return Repeat("abc\xFF\xC3(\xE2\x82 ");
  }
}

const char* ShapeName(int shape) {
  static const char* kNames[] = {"ascii", "japanese", "escapes", "ill_formed"};
  return kNames[shape];
}

void BM_AppendJsonString(benchmark::State& state) {
  const std::string in = Input(int(state.range(0)));
  std::string out;
  for (auto _ : state) {
    out.clear();
    AppendJsonString(&out, in);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(in.size()));
  state.SetLabel(ShapeName(int(state.range(0))));
}
BENCHMARK(BM_AppendJsonString)->DenseRange(0, 3);

void BM_IsValidUtf8(benchmark::State& state) {
  const std::string in = Input(int(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(IsValidUtf8(in));
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(in.size()));
  state.SetLabel(ShapeName(int(state.range(0))));
}
BENCHMARK(BM_IsValidUtf8)->DenseRange(0, 1);

// DecodeUtf8 one sequence at a time over the whole input (what Utf8Length and Lua's utf8
// library do).
void BM_DecodeUtf8(benchmark::State& state) {
  const std::string in = Input(int(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(Utf8Length(in));
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(in.size()));
  state.SetLabel(ShapeName(int(state.range(0))));
}
BENCHMARK(BM_DecodeUtf8)->DenseRange(0, 1);

}  // namespace
}  // namespace asobi

BENCHMARK_MAIN();

// Cost of one RPC handler call on a shard (RpcRuntime::Call: params to Lua, the budgeted call,
// result to JSON) with the bundled lua/rpc/methods.lua, and of the reload check per call.
#include <benchmark/benchmark.h>

#include <cstring>
#include <string>
#include <utility>

#include "game/rpc/rpc_runtime.h"
#include "simdjson.h"

namespace {

using asobi::rpc::RpcOutcome;
using asobi::rpc::RpcRuntime;

void BM_RpcCall(benchmark::State& state, const char* method, const char* params) {
  RpcRuntime rt;
  auto sources = asobi::script::ModuleSources::Scan(std::string(ASOBI_SOURCE_ROOT) + "/lua");
  rt.Sync(sources, "rpc/methods.lua");
  simdjson::dom::parser parser;
  simdjson::dom::element e;
  if (parser.parse(params, strlen(params)).get(e) != simdjson::SUCCESS) std::abort();
  std::string player = "0190b000-0000-7000-8000-000000000001";
  for (auto _ : state) {
    rt.Sync(sources, "rpc/methods.lua");  // what every call does before running
    RpcOutcome out;  // answered before Call returns: these handlers never suspend
    rt.Call(method, player, e, [&out](RpcOutcome o) { out = std::move(o); });
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK_CAPTURE(BM_RpcCall, add_ok, "demo.add", R"({"a":1,"b":2})");
BENCHMARK_CAPTURE(BM_RpcCall, add_declared_error, "demo.add", R"({"a":1})");
BENCHMARK_CAPTURE(BM_RpcCall, echo_small, "demo.echo", R"({"x":[1,2,3],"s":"hello"})");
BENCHMARK_CAPTURE(BM_RpcCall, unknown_method, "demo.nope", R"({})");

}  // namespace

BENCHMARK_MAIN();

// RpcRuntime on the bundled example lua/rpc/methods.lua and on scripts that fail to load.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "game/rpc/rpc_runtime.h"
#include "simdjson.h"

namespace asobi::rpc {
namespace {

RpcOutcome Call(RpcRuntime& rt, std::string_view method, const char* params) {
  static simdjson::dom::parser parser;
  simdjson::dom::element e;
  EXPECT_EQ(parser.parse(params, strlen(params)).get(e), simdjson::SUCCESS);
  RpcOutcome out;
  bool answered = false;
  rt.Call(method, "p1", e, [&](RpcOutcome o) {
    out = std::move(o);
    answered = true;
  });
  EXPECT_TRUE(answered);  // off a shard nothing suspends: the answer comes before Call returns
  return out;
}

TEST(RpcRuntime, BundledExample) {
  RpcRuntime rt;
  rt.Sync(script::ModuleSources::Scan(std::string(ASOBI_SOURCE_ROOT) + "/lua"), "rpc/methods.lua");
  ASSERT_EQ(rt.method_count(), 3u);
  RpcOutcome ok = Call(rt, "demo.add", R"({"a":1,"b":2})");
  EXPECT_EQ(ok.kind, RpcOutcome::Kind::kOk);
  EXPECT_EQ(ok.result_json, R"({"sum":3})");
  RpcOutcome err = Call(rt, "demo.add", R"({"a":1})");
  EXPECT_EQ(err.kind, RpcOutcome::Kind::kError);
  EXPECT_EQ(err.code, "demo.not_numbers");
  EXPECT_EQ(err.status, 422);
  EXPECT_EQ(err.details_json, R"({"got":["number","nil"]})");
  RpcOutcome echo = Call(rt, "demo.echo", R"({})");
  simdjson::dom::parser p;
  simdjson::dom::element e;
  ASSERT_EQ(p.parse(echo.result_json).get(e), simdjson::SUCCESS) << echo.result_json;
  EXPECT_EQ(std::string_view(e["player_id"].get_string().value()), "p1");
  EXPECT_TRUE(e["params"].is_object()) << echo.result_json;  // an empty object stays {}
  EXPECT_EQ(Call(rt, "demo.nope", "{}").kind, RpcOutcome::Kind::kUnknownMethod);
}

// A script that fails to load keeps the methods of the previous good one.
TEST(RpcRuntime, BadScriptKeepsPreviousMethods) {
  char tmpl[] = "/tmp/asobi_rpc_unit_XXXXXX";
  std::string dir = mkdtemp(tmpl);
  RpcRuntime rt;
  std::ofstream(dir + "/r.lua") << "rpc.register('a.b', function() return {} end)";
  rt.Sync(script::ModuleSources::Scan(dir), "r.lua");
  ASSERT_EQ(rt.method_count(), 1u);
  for (const char* bad :
       {"rpc.register('nodot', function() end)", "rpc.register('asobi.x', function() end)",
        "rpc.register('a.b', function() end, {errors = {['other.code'] = 400}})",
        "rpc.register('a.b', function() end, {errors = {['a.c'] = 200}})",
        "rpc.register('a.b', function() end) rpc.register('a.b', function() end)",
        "while true do end", "this is not lua"}) {
    std::ofstream(dir + "/r.lua", std::ios::trunc) << bad;
    rt.Sync(script::ModuleSources::Scan(dir), "r.lua");
    EXPECT_EQ(rt.method_count(), 1u) << bad;
    EXPECT_EQ(Call(rt, "a.b", "{}").kind, RpcOutcome::Kind::kOk) << bad;
  }
  rt.Sync(script::ModuleSources::Scan(dir), "");
  EXPECT_EQ(rt.method_count(), 0u);
  std::system(("rm -rf '" + dir + "'").c_str());
}

// Globals live until the script's own text changes: a new snapshot sharing its buffer (another
// file saved) keeps them.
TEST(RpcRuntime, StateKeptWhileTheScriptIsUnchanged) {
  char tmpl[] = "/tmp/asobi_rpc_unit_XXXXXX";
  std::string dir = mkdtemp(tmpl);
  std::ofstream(dir + "/r.lua")
      << "local n = 0 rpc.register('c.next', function() n = n + 1 return {n = n} end)";
  auto first = script::ModuleSources::Scan(dir);
  RpcRuntime rt;
  rt.Sync(first, "r.lua");
  EXPECT_EQ(Call(rt, "c.next", "{}").result_json, R"({"n":1})");
  std::ofstream(dir + "/other.lua") << "return 1";
  rt.Sync(script::ModuleSources::Scan(dir, {}, first), "r.lua");
  EXPECT_EQ(Call(rt, "c.next", "{}").result_json, R"({"n":2})");
  std::ofstream(dir + "/r.lua", std::ios::trunc)
      << "rpc.register('c.next', function() return {n = 0} end)";
  rt.Sync(script::ModuleSources::Scan(dir, {}, first), "r.lua");
  EXPECT_EQ(Call(rt, "c.next", "{}").result_json, R"({"n":0})");
  std::system(("rm -rf '" + dir + "'").c_str());
}

}  // namespace
}  // namespace asobi::rpc

namespace asobi::rpc {
namespace {

// `require` reads the published snapshot; a changed module reloads the state.
TEST(RpcRuntime, RequireAndReloadOnAChangedModule) {
  char tmpl[] = "/tmp/asobi_rpc_unit_XXXXXX";
  std::string dir = mkdtemp(tmpl);
  ::mkdir((dir + "/rpc").c_str(), 0755);
  ::mkdir((dir + "/rpc/lib").c_str(), 0755);
  std::ofstream(dir + "/rpc/m.lua")
      << "local u = require('lib.util') rpc.register('m.v', function() return {v = u.v} end)";
  std::ofstream(dir + "/rpc/lib/util.lua") << "return {v = 1}";
  script::ModuleSourceRegistry registry;
  auto first = script::ModuleSources::Scan(dir);
  registry.Publish(first);
  RpcRuntime rt(&registry);
  rt.Sync(first, "rpc/m.lua");
  EXPECT_EQ(Call(rt, "m.v", "{}").result_json, R"({"v":1})");
  std::ofstream(dir + "/rpc/lib/util.lua", std::ios::trunc) << "return {v = 2}";
  auto second = script::ModuleSources::Scan(dir, {}, first);
  registry.Publish(second);
  rt.Sync(second, "rpc/m.lua");
  EXPECT_EQ(Call(rt, "m.v", "{}").result_json, R"({"v":2})");
  std::system(("rm -rf '" + dir + "'").c_str());
}

}  // namespace
}  // namespace asobi::rpc

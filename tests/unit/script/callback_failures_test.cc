// asobi_lua_callback_failures_total (issue 15 item 3): failures of match, world, RPC and ops
// callbacks counted per script kind, callback and kind, written as one family.
#include "script/callback_failures.h"

#include <gtest/gtest.h>

#include <string>

namespace asobi::script {
namespace {

TEST(CallbackFailures, CountsPerScriptCallbackAndKind) {
  CallbackFailures f;
  f.Record(ScriptKind::kMatch, "tick", true);
  f.Record(ScriptKind::kMatch, "tick", true);
  f.Record(ScriptKind::kWorld, "tick", false);  // not a world callback: "other"
  f.Record(ScriptKind::kWorld, "zone_tick", true);
  f.Record(ScriptKind::kRpc, "", false);
  f.Record(ScriptKind::kOps, "", true);
  EXPECT_EQ(f.Count(ScriptKind::kMatch, "tick", true), 2);
  EXPECT_EQ(f.Count(ScriptKind::kMatch, "tick", false), 0);
  EXPECT_EQ(f.Count(ScriptKind::kWorld, "other", false), 1);
  EXPECT_EQ(f.Count(ScriptKind::kWorld, "zone_tick", true), 1);
  EXPECT_EQ(f.Count(ScriptKind::kWorld, "zone_tick", false), 0);
  EXPECT_EQ(f.Count(ScriptKind::kRpc, "handler", false), 1);
  EXPECT_EQ(f.Count(ScriptKind::kOps, "action", true), 1);
  EXPECT_EQ(f.Count(ScriptKind::kMatch, "zone_tick", true), -1);  // not a match series
}

TEST(CallbackFailures, WritesOneFamilyWithEverySeries) {
  CallbackFailures f;
  f.Record(ScriptKind::kWorld, "on_zone_loaded", false);
  std::string out;
  f.Write(&out);
  // One HELP and one TYPE line, then every series (zeros included).
  EXPECT_EQ(out.find("# HELP asobi_lua_callback_failures_total "), 0u);
  EXPECT_EQ(out.find("# HELP", 1), std::string::npos);
  EXPECT_NE(out.find("\n# TYPE asobi_lua_callback_failures_total counter\n"), std::string::npos);
  EXPECT_NE(out.find("\nasobi_lua_callback_failures_total{script=\"world\",callback=\""
                     "on_zone_loaded\",kind=\"error\"} 1\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("\nasobi_lua_callback_failures_total{script=\"match\",callback=\"tick\","
                     "kind=\"timeout\"} 0\n"),
            std::string::npos);
  EXPECT_NE(out.find("\nasobi_lua_callback_failures_total{script=\"ops\",callback=\"action\","
                     "kind=\"error\"} 0\n"),
            std::string::npos);
  size_t lines = 0;
  for (char c : out) lines += c == '\n';
  const size_t series = 2 * (CallbackFailures::kMatchCount + CallbackFailures::kWorldCount + 1 + 1);
  EXPECT_EQ(lines, series + 2);
}

}  // namespace
}  // namespace asobi::script

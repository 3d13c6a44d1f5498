// Failure rules (lua.md §4, §13, §15): failing callbacks keep the state, budgets stop runaway
// callbacks without ending the match, memory caps, unrecoverable states, dev errors, sandbox.
#include <gtest/gtest.h>

#include "match_test_util.h"
#include "script/budget.h"

namespace asobi::match::test {
namespace {

constexpr char kFaulty[] = R"(
match_size = 1
function init() return { n = 0, hog = {} } end
function join(p, s) return s end
function leave(p, s) return s end
function handle_input(p, input, s)
  if input.raise then error("input exploded") end
  if input.loop then while true do end end
  if input.big then local t = {} for i = 1, 64 do t[i] = string.rep("y", 65536) .. i end end
  if input.hog then
    for i = 1, 100000 do s.hog[#s.hog + 1] = string.rep("x", 65536) .. i end
  end
  s.last = input.n
  return s
end
function tick(s)
  s.n = s.n + 1
  if s.n == 2 then error("tick exploded") end
  if s.n == 3 then return nil end
  if s.n == 4 then local t = 0 while true do t = t + 1 end end
  return s
end
function get_state(p, s)
  if s.n == 6 then error("view exploded") end
  return { n = s.n, last = s.last }
end
)";

class MatchFailureTest : public ::testing::Test {
 protected:
  void Start(MatchOptions o = TestOptions(), const std::string& script = kFaulty) {
    dir_.Write("match.lua", script);
    shards_ = std::make_unique<FakeShards>(1, o, LoadOrDie(dir_));
    auto id = shards_->Enter(0).Create("default");
    ASSERT_TRUE(id.ok()) << id.error().message;
    id_ = id.value();
    client_ = &shards_->Connect(0, "p1");
    ASSERT_TRUE(JoinNow(*shards_, id_, *client_).ok());
  }
  void Input(const std::string& json) { shards_->Enter(0).Input(id_, "p1", json, client_->ref()); }
  double LastN() { return Frame(client_->Last("match.state")).Num({"payload", "n"}); }

  TempGameDir dir_;
  std::unique_ptr<FakeShards> shards_;
  std::string id_;
  FakeClient* client_ = nullptr;
};

TEST_F(MatchFailureTest, FailingTickKeepsStateAndTheMatchGoesOn) {
  Start();
  shards_->Advance(100);
  EXPECT_EQ(LastN(), 1);
  shards_->Advance(100);  // tick raises after mutating: the mutation stays (DECISIONS Lua 1)
  EXPECT_EQ(LastN(), 2);
  shards_->Advance(100);  // tick returns nil: previous state kept
  EXPECT_EQ(LastN(), 3);
  shards_->Advance(100);  // tick loops forever: stopped by the 500 ms budget
  EXPECT_EQ(LastN(), 4);
  shards_->Advance(100);
  EXPECT_EQ(LastN(), 5);
  EXPECT_EQ(shards_->node().metrics().callback_errors.load(), 3u);
  EXPECT_EQ(shards_->Enter(0).Find(id_)->status(), MatchStatus::kRunning);
}

TEST_F(MatchFailureTest, FailingGetStateSkipsThatFrameOnly) {
  Start();
  shards_->Advance(500);
  size_t frames = client_->OfType("match.state").size();
  shards_->Advance(100);  // n == 6: get_state raises
  EXPECT_EQ(client_->OfType("match.state").size(), frames);
  shards_->Advance(100);
  EXPECT_EQ(client_->OfType("match.state").size(), frames + 1);
  EXPECT_EQ(LastN(), 7);
}

TEST_F(MatchFailureTest, FailingInputIsDroppedAndReportedInDevMode) {
  MatchOptions o = TestOptions();
  o.dev_errors = true;
  Start(o);
  Input(R"({"n":1})");
  Input(R"({"raise":true,"n":2})");
  Input(R"({"raise":true,"n":3})");  // second failure within 1 s: logged, no frame
  shards_->Advance(100);
  Frame state(client_->Last("match.state"));
  EXPECT_EQ(state.Num({"payload", "last"}), 1);
  auto legacy = client_->OfType("game.error");
  auto modern = client_->OfType("module.error");
  ASSERT_EQ(legacy.size(), 1u);
  ASSERT_EQ(modern.size(), 1u);
  Frame err(modern[0]);
  EXPECT_EQ(err.Str({"payload", "module"}), "lua");
  EXPECT_EQ(err.Str({"payload", "callback"}), "handle_input");
  EXPECT_EQ(err.Str({"payload", "script"}), "match.lua");
  EXPECT_NE(err.Str({"payload", "message"}).find("input exploded"), std::string::npos);
  EXPECT_EQ(Frame(legacy[0]).Str({"payload", "message"}), err.Str({"payload", "message"}));
  // Legacy twin first.
  size_t li = 0, mi = 0;
  for (size_t i = 0; i < client_->frames.size(); ++i) {
    if (client_->frames[i].find("\"game.error\"") != std::string::npos) li = i;
    if (client_->frames[i].find("\"module.error\"") != std::string::npos) mi = i;
  }
  EXPECT_LT(li, mi);
  shards_->Advance(1000);
  Input(R"({"raise":true})");
  shards_->Advance(100);
  EXPECT_EQ(client_->OfType("module.error").size(), 2u);
}

TEST_F(MatchFailureTest, NoDevErrorFramesByDefault) {
  Start();
  Input(R"({"raise":true})");
  shards_->Advance(100);
  EXPECT_TRUE(client_->OfType("module.error").empty());
  EXPECT_TRUE(client_->OfType("game.error").empty());
}

TEST_F(MatchFailureTest, EndlessLoopInOneMatchDoesNotStopAnother) {
  ASSERT_TRUE(script::BudgetStopsCompiledLoops()) << "needs the checkhook LuaJIT";
  Start();
  auto other = shards_->Enter(0).Create("default");
  ASSERT_TRUE(other.ok());
  FakeClient& b = shards_->Connect(0, "p2");
  ASSERT_TRUE(JoinNow(*shards_, other.value(), b).ok());
  Input(R"({"loop":true})");
  Input(R"({"n":42})");
  shards_->Advance(100);
  EXPECT_EQ(Frame(client_->Last("match.state")).Num({"payload", "last"}), 42)
      << "the looping input was stopped (50 ms budget), the next input ran";
  EXPECT_EQ(b.OfType("match.state").size(), 1u);
  shards_->Advance(300);
  EXPECT_EQ(b.OfType("match.state").size(), 4u);
  EXPECT_EQ(client_->OfType("match.state").size(), 4u);
}

TEST_F(MatchFailureTest, CallbackGrowthCapFailsOnlyThatCallback) {
  MatchOptions o = TestOptions();
  o.memory.callback_growth_max_bytes = 2 << 20;
  Start(o);
  Input(R"({"big":true,"n":1})");
  shards_->Advance(100);
  EXPECT_EQ(shards_->node().metrics().callback_errors.load(), 1u);
  Input(R"({"n":2})");
  shards_->Advance(100);
  EXPECT_EQ(Frame(client_->Last("match.state")).Num({"payload", "last"}), 2);
  EXPECT_EQ(shards_->Enter(0).Find(id_)->status(), MatchStatus::kRunning);
}

TEST_F(MatchFailureTest, UnrecoverableStateFinishesWithScriptFailure) {
  MatchOptions o = TestOptions();
  o.memory.max_bytes = 8 << 20;
  o.memory.callback_growth_max_bytes = 64 << 20;
  Start(o);
  Input(R"({"hog":true})");  // fills the state up to its hard cap and keeps it
  shards_->Advance(100);
  Frame fin(client_->Last("match.finished"));
  ASSERT_TRUE(fin.ok()) << "frames: " << client_->frames.size();
  EXPECT_EQ(fin.Str({"payload", "result", "status"}), "script_failure");
  EXPECT_EQ(shards_->Enter(0).Find(id_)->status(), MatchStatus::kFinished);
}

TEST_F(MatchFailureTest, SandboxHasNoEscapes) {
  Start(TestOptions(), R"(
match_size = 1
local probes = {}
function init() return {} end
function join(p, s) return s end
function leave(p, s) return s end
function handle_input(p, i, s) return s end
function tick(s) return s end
function get_state(p, s)
  local out = {}
  for _, name in ipairs({"io", "package", "debug", "ffi", "jit", "load", "loadstring", "dofile",
                         "loadfile", "collectgarbage", "coroutine", "getfenv", "setfenv",
                         "newproxy", "print"}) do
    out[name] = type(_G[name])
  end
  out.execute = type(os.execute)
  out.getenv = type(os.getenv)
  out.dump = type(string.dump)
  out.up = tostring(pcall(require, "..secret"))
  out.abs = tostring(pcall(require, "/etc/passwd"))
  out.game = type(game)
  out.api_never_raises = tostring(pcall(function()
    return game.broadcast(), game.send(), game.log(), game.match.set_joinable("x"),
           game.object(1), game.test.suspend("x")
  end))
  return out
end
)");
  shards_->Advance(100);
  Frame f(client_->Last("match.state"));
  ASSERT_TRUE(f.ok());
  for (const char* name : {"io", "package", "debug", "ffi", "jit", "load", "loadstring", "dofile",
                           "loadfile", "collectgarbage", "coroutine", "getfenv", "setfenv",
                           "newproxy", "print", "execute", "getenv", "dump"}) {
    EXPECT_EQ(f.Str({"payload", name}), "nil") << name;
  }
  EXPECT_EQ(f.Str({"payload", "up"}), "false");
  EXPECT_EQ(f.Str({"payload", "abs"}), "false");
  EXPECT_EQ(f.Str({"payload", "game"}), "table");
  EXPECT_EQ(f.Str({"payload", "api_never_raises"}), "true");
}

TEST_F(MatchFailureTest, MissingCallbackFailsEachCall) {
  Start(TestOptions(), R"(
match_size = 1
function init() return { n = 0 } end
function join(p, s) return s end
function get_state(p, s) return { n = s.n } end
)");
  shards_->Advance(300);
  EXPECT_EQ(client_->OfType("match.state").size(), 3u);
  EXPECT_EQ(shards_->node().metrics().callback_errors.load(), 3u);  // tick is missing
}

}  // namespace
}  // namespace asobi::match::test

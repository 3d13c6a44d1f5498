// The game.* API in a match (lua.md §9 "Core", "Match control"; websocket.md §5.8, §9.2;
// DECISIONS.md Lua 3).
#include <gtest/gtest.h>

#include "base/uuid.h"
#include "match_test_util.h"

namespace asobi::match::test {
namespace {

constexpr char kApi[] = R"(
match_size = 2
function init() return {} end
function join(p, s) return s end
function leave(p, s) return s end
function handle_input(p, input, s)
  local a, r = input.action, nil
  if a == "id" then r = game.id()
  elseif a == "log" then r = game.log(input.level, input.msg, input.meta)
  elseif a == "log_many" then
    r = 0
    for i = 1, 40 do if game.log("debug", "line " .. i) == true then r = r + 1 end end
  elseif a == "broadcast" then r = game.broadcast(input.event, input.payload)
  elseif a == "broadcast_big" then r = game.broadcast("big", { blob = string.rep("z", 70000) })
  elseif a == "broadcast_array" then r = game.broadcast("arr", { 1, 2, 3 })
  elseif a == "send" then r = game.send(input.to, input.msg)
  elseif a == "send_bad" then r = game.send()
  elseif a == "joinable_bad" then r = game.match.set_joinable("yes")
  elseif a == "object" then s.obj = game.object({}) s.arr = {} r = true
  elseif a == "suspend_in_view" then s.suspend_in_view = true r = true
  end
  s.result = r
  return s
end
function tick(s) return s end
function get_state(p, s)
  local v = { result = s.result, obj = s.obj, arr = s.arr }
  if s.suspend_in_view then v.suspend = game.test.suspend(1) end
  return v
end
)";

class GameApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.Write("match.lua", kApi);
    shards_ = std::make_unique<FakeShards>(1, TestOptions(), LoadOrDie(dir_));
    id_ = shards_->Enter(0).Create("default").value();
    a_ = &shards_->Connect(0, "p1");
    b_ = &shards_->Connect(0, "p2");
    JoinNow(*shards_, id_, *a_);
    JoinNow(*shards_, id_, *b_);
  }
  // Runs one input action and returns the next state frame of p1.
  Frame Run(const std::string& input_json) {
    shards_->Enter(0).Input(id_, "p1", input_json, a_->ref());
    shards_->Advance(100);
    return Frame(a_->Last("match.state"));
  }

  TempGameDir dir_;
  std::unique_ptr<FakeShards> shards_;
  std::string id_;
  FakeClient* a_ = nullptr;
  FakeClient* b_ = nullptr;
};

TEST_F(GameApiTest, IdIsAUuidV7) {
  std::string id = Run(R"({"action":"id"})").Str({"payload", "result"});
  ASSERT_EQ(id.size(), 36u) << id;
  EXPECT_EQ(id[14], '7');
  EXPECT_TRUE(IsCanonicalUuid(id));
}

TEST_F(GameApiTest, LogReturnsTrueFalseOrUsageError) {
  EXPECT_TRUE(Run(R"({"action":"log","level":"info","msg":"hello"})")
                  .At({"payload", "result"})
                  ->get_bool()
                  .value());
  EXPECT_TRUE(Run(R"({"action":"log","level":"warning","msg":{"a":1},"meta":{"k":"v"}})")
                  .At({"payload", "result"})
                  ->get_bool()
                  .value());
  Frame bad = Run(R"({"action":"log","level":"loud","msg":"x"})");
  EXPECT_EQ(bad.Str({"payload", "result", "error"}), "game.log requires (level, message[, meta])");
  EXPECT_EQ(Run(R"({"action":"log","level":"info"})").Str({"payload", "result", "error"}),
            "game.log requires (level, message[, meta])");
  // 30 lines per second per match.
  shards_->Advance(1000);
  EXPECT_EQ(Run(R"({"action":"log_many"})").Num({"payload", "result"}), 30);
}

TEST_F(GameApiTest, BroadcastReachesEveryMemberBeforeTheStateFrame) {
  Run(R"({"action":"broadcast","event":"boom","payload":{"at":[1,2]}})");
  for (FakeClient* c : {a_, b_}) {
    Frame f(c->Last("match.boom"));
    ASSERT_TRUE(f.ok()) << c->player_id();
    EXPECT_TRUE(f.At({"payload", "at"}).has_value());
    // Ordering per recipient: the callback's frame, then match.state of that tick.
    ASSERT_GE(c->frames.size(), 2u);
    EXPECT_EQ(c->frames[c->frames.size() - 2].find("{\"type\":\"match.boom\""), 0u);
  }
}

TEST_F(GameApiTest, BroadcastValidation) {
  for (const char* ev : {"state", "finished", "vote_start", "joined"}) {
    Frame f = Run(std::string(R"({"action":"broadcast","event":")") + ev + "\"}");
    EXPECT_EQ(f.Str({"payload", "result", "error"}), "reserved_event_name") << ev;
  }
  for (const char* ev : {"a.b", "", "sp ace", "x\u00e9"}) {
    Frame f = Run(std::string(R"({"action":"broadcast","event":")") + ev + "\"}");
    EXPECT_EQ(f.Str({"payload", "result", "error"}), "invalid_event_name") << ev;
  }
  std::string long_name(65, 'a');
  EXPECT_EQ(Run(R"({"action":"broadcast","event":")" + long_name + "\"}")
                .Str({"payload", "result", "error"}),
            "invalid_event_name");
  EXPECT_EQ(Run(R"({"action":"broadcast"})").Str({"payload", "result", "error"}),
            "game.broadcast requires (event[, payload])");
  // Oversized payload: dropped, still true.
  Frame big = Run(R"({"action":"broadcast_big"})");
  EXPECT_TRUE(big.At({"payload", "result"})->get_bool().value());
  EXPECT_TRUE(a_->OfType("match.big").empty());
  // Arrays become {}; absent payload is {}.
  Run(R"({"action":"broadcast_array"})");
  EXPECT_EQ(a_->Last("match.arr"), R"({"type":"match.arr","payload":{}})");
  Run(R"({"action":"broadcast","event":"ping"})");
  EXPECT_EQ(a_->Last("match.ping"), R"({"type":"match.ping","payload":{}})");
}

TEST_F(GameApiTest, SendGoesToOnePlayerWithTheLegacyTwinFirst) {
  Run(R"({"action":"send","to":"p2","msg":{"hi":1}})");
  EXPECT_TRUE(a_->OfType("module.message").empty());
  auto legacy = b_->OfType("game.message");
  auto modern = b_->OfType("module.message");
  ASSERT_EQ(legacy.size(), 1u);
  ASSERT_EQ(modern.size(), 1u);
  Frame m(modern[0]);
  EXPECT_EQ(m.Str({"payload", "module"}), "lua");
  EXPECT_EQ(m.Num({"payload", "message", "hi"}), 1);
  EXPECT_EQ(Frame(legacy[0]).Num({"payload", "message", "hi"}), 1);
  EXPECT_LT(std::find(b_->frames.begin(), b_->frames.end(), legacy[0]),
            std::find(b_->frames.begin(), b_->frames.end(), modern[0]));
  EXPECT_TRUE(Run(R"({"action":"send","to":"nobody","msg":"x"})")
                  .At({"payload", "result"})
                  ->get_bool()
                  .value());
  EXPECT_EQ(Run(R"({"action":"send_bad"})").Str({"payload", "result", "error"}),
            "game.send requires (player_id, message)");
}

TEST_F(GameApiTest, WrongTypesReturnErrorsInsteadOfRaising) {
  EXPECT_EQ(Run(R"({"action":"joinable_bad"})").Str({"payload", "result", "error"}),
            "game.match.set_joinable requires (open)");
  EXPECT_EQ(shards_->node().metrics().callback_errors.load(), 0u);
}

TEST_F(GameApiTest, ObjectMarkerEncodesEmptyTablesAsObjects) {
  Frame f = Run(R"({"action":"object"})");
  EXPECT_TRUE(f.At({"payload", "obj"})->is_object());
  EXPECT_TRUE(f.At({"payload", "arr"})->is_array());
}

TEST_F(GameApiTest, SuspendingOutsideTheCallbackCoroutineIsRefused) {
  Frame f = Run(R"({"action":"suspend_in_view"})");
  EXPECT_EQ(f.Str({"payload", "suspend", "error"}), "cannot_suspend_here");
}

}  // namespace
}  // namespace asobi::match::test

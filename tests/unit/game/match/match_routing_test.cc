// Cross-shard routing and the WebSocket handlers (docs/match_design.md; websocket.md §5): joins,
// inputs and frames between shards, quick-play convergence, handler validation and errors.
#include <gtest/gtest.h>

#include "game/match/match_handlers.h"
#include "game/match/match_id.h"
#include "game/match/match_router.h"
#include "match_test_util.h"
#include "protocol/envelope.h"

namespace asobi::match::test {
namespace {

constexpr char kMode[] = R"(
match_size = 2
function init() return { n = 0, players = {} } end
function join(p, s) s.players[p] = { x = 0 } return s end
function leave(p, s) s.players[p] = nil return s end
function handle_input(p, i, s) s.players[p].x = s.players[p].x + (i.move_x or 0) return s end
function tick(s) s.n = s.n + 1 return s end
function get_state(p, s) return { n = s.n, players = s.players } end
)";

class MatchRoutingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.Write("config.lua", R"(return { duel = "duel.lua", solo = "solo.lua", w = "w.lua" })");
    dir_.Write("duel.lua", std::string(kMode) + "quick_play = true\nlisted = true\n");
    dir_.Write("solo.lua", kMode);
    dir_.Write("w.lua", "match_size = 4\ngame_type = 'world'\n");
    shards_ = std::make_unique<FakeShards>(2, TestOptions(), LoadOrDie(dir_));
    RegisterMatchHandlers(registry_);
  }
  // Dispatches one inbound frame from `c` as the WebSocket layer would.
  void Send(FakeClient& c, const std::string& json) {
    shards_->Enter(c.ref().shard);
    auto env = parser_.Parse(json);
    ASSERT_TRUE(env.ok());
    std::string_view reason;
    auto* entry = registry_.Resolve(*env, c.authenticated(), &reason);
    ASSERT_NE(entry, nullptr) << reason;
    GameShard game;
    WsContext ctx{c, game};
    entry->handler(ctx, *env);
    shards_->Drain();
  }
  std::string LastError(FakeClient& c) {
    for (auto it = c.frames.rbegin(); it != c.frames.rend(); ++it) {
      if (it->rfind("error:", 0) == 0) return it->substr(6);
    }
    return "";
  }

  TempGameDir dir_;
  std::unique_ptr<FakeShards> shards_;
  MessageRegistry<WsContext> registry_;
  EnvelopeParser parser_;
};

TEST_F(MatchRoutingTest, JoinInputAndFramesAcrossShards) {
  // A match owned by shard 0, players connected to shard 1 and shard 0.
  std::string id = shards_->Enter(0).Create("solo").value();
  ASSERT_EQ(OwnerShardOf(id, 2), 0);
  FakeClient& far = shards_->Connect(1, "p1");
  FakeClient& near = shards_->Connect(0, "p2");
  Send(far, R"({"type":"match.join","cid":"1","payload":{"match_id":")" + id + R"("}})");
  Frame joined(far.Last("match.joined"));
  ASSERT_TRUE(joined.ok()) << (far.frames.empty() ? "" : far.frames.back());
  EXPECT_EQ(joined.Str({"payload", "match_id"}), id);
  EXPECT_EQ(joined.Str({"payload", "status"}), "waiting");
  Send(near, R"({"type":"match.join","payload":{"match_id":")" + id + R"("}})");
  EXPECT_EQ(Frame(near.Last("match.joined")).Str({"payload", "status"}), "running");
  Send(far, R"({"type":"match.input","payload":{"move_x":3}})");
  Send(far, R"({"type":"match.input","payload":{"data":"{\"move_x\":4}"}})");
  Send(far, R"({"type":"match.input","payload":{"data":{"move_x":5}}})");
  shards_->Advance(100);
  Frame state(far.Last("match.state"));
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state.Num({"payload", "players", "p1", "x"}), 12);
  EXPECT_EQ(Frame(near.Last("match.state")).Num({"payload", "players", "p1", "x"}), 12);
  // match.leave from shard 1 reaches the owner; the reply is immediate.
  Send(far, R"({"type":"match.leave","cid":"9","payload":{}})");
  EXPECT_EQ(far.Last("match.left"),
            R"({"type":"match.left","cid":"9","payload":{"success":true}})");
  shards_->Advance(100);
  EXPECT_FALSE(Frame(near.Last("match.state")).At({"payload", "players", "p1"}).has_value());
  size_t far_states = far.OfType("match.state").size();
  shards_->Advance(300);
  EXPECT_EQ(far.OfType("match.state").size(), far_states);
  // Input after leaving: not_in_match hint, at most once per 5 s.
  Send(far, R"({"type":"match.input","payload":{"move_x":1}})");
  Send(far, R"({"type":"match.input","payload":{"move_x":1}})");
  EXPECT_EQ(std::count(far.frames.begin(), far.frames.end(), "error:not_in_match"), 1);
  shards_->Advance(5000);
  Send(far, R"({"type":"match.input","payload":{"move_x":1}})");
  EXPECT_EQ(std::count(far.frames.begin(), far.frames.end(), "error:not_in_match"), 2);
}

TEST_F(MatchRoutingTest, DisconnectLeavesTheMatch) {
  std::string id = shards_->Enter(0).Create("solo").value();
  FakeClient& a = shards_->Connect(1, "p1");
  FakeClient& b = shards_->Connect(0, "p2");
  Send(a, R"({"type":"match.join","payload":{"match_id":")" + id + R"("}})");
  Send(b, R"({"type":"match.join","payload":{"match_id":")" + id + R"("}})");
  EXPECT_EQ(shards_->Enter(0).Find(id)->player_count(), 2);
  shards_->Enter(1);
  OnMatchClientClosed(a);
  shards_->Drain();
  EXPECT_EQ(shards_->Enter(0).Find(id)->player_count(), 1);
}

TEST_F(MatchRoutingTest, QuickPlayConvergesOnOneMatch) {
  FakeClient& a = shards_->Connect(0, "p1");
  FakeClient& b = shards_->Connect(1, "p2");
  FakeClient& c = shards_->Connect(1, "p3");
  // Three requests in flight at once (no drain in between).
  for (FakeClient* x : {&a, &b, &c}) {
    shards_->Enter(x->ref().shard);
    auto env =
        parser_.Parse(R"({"type":"match.find_or_create","cid":"q","payload":{"mode":"duel"}})");
    std::string_view reason;
    GameShard game;
    WsContext ctx{*x, game};
    registry_.Resolve(*env, true, &reason)->handler(ctx, *env);
  }
  shards_->Drain();
  std::string ma = Frame(a.Last("match.joined")).Str({"payload", "match_id"});
  std::string mb = Frame(b.Last("match.joined")).Str({"payload", "match_id"});
  std::string mc = Frame(c.Last("match.joined")).Str({"payload", "match_id"});
  ASSERT_FALSE(ma.empty());
  EXPECT_EQ(ma, mb) << "the second caller joins the first caller's match";
  EXPECT_NE(mc, ma) << "the third finds it full and gets a new one";
  EXPECT_FALSE(mc.empty());
  EXPECT_EQ(shards_->node().live_matches(), 2);
  // match.list shows the listed duel matches.
  Send(a, R"({"type":"match.list","cid":"l","payload":{"mode":"duel","has_capacity":true}})");
  Frame list(a.Last("match.list"));
  ASSERT_TRUE(list.ok());
  simdjson::dom::array arr;
  ASSERT_EQ(list.At({"payload", "matches"})->get(arr), simdjson::SUCCESS);
  EXPECT_EQ(arr.size(), 1u);
}

TEST_F(MatchRoutingTest, FindOrCreateErrors) {
  FakeClient& a = shards_->Connect(0, "p1");
  Send(a, R"({"type":"match.find_or_create","payload":{"mode":"nope"}})");
  EXPECT_EQ(LastError(a), "not_found");
  Send(a, R"({"type":"match.find_or_create","payload":{"mode":"w"}})");
  EXPECT_EQ(LastError(a), "wrong_mode_type");
  Send(a, R"({"type":"match.find_or_create","payload":{"mode":"solo"}})");
  EXPECT_EQ(LastError(a), "quick_play_disabled");
  Send(a, R"({"type":"match.find_or_create","payload":{"mode":"duel","ctx":[]}})");
  EXPECT_EQ(LastError(a), "invalid_join_ctx");
  Send(a, R"({"type":"match.find_or_create","payload":{}})");
  EXPECT_EQ(LastError(a), "missing_field");
  Send(a, R"({"type":"match.find_or_create","payload":{"mode":7}})");
  EXPECT_EQ(LastError(a), "invalid_payload");
  for (int i = 0; i < 10; ++i) Send(a, R"({"type":"match.find_or_create","payload":{"mode":"x"}})");
  EXPECT_EQ(LastError(a), "join_rate_limited");
}

TEST_F(MatchRoutingTest, JoinCtxValidation) {
  std::string id = shards_->Enter(0).Create("solo").value();
  FakeClient& a = shards_->Connect(1, "p1");
  auto join = [&](const std::string& ctx) {
    Send(a, R"({"type":"match.join","payload":{"match_id":")" + id + R"(","ctx":)" + ctx + "}}");
    return LastError(a);
  };
  EXPECT_EQ(join("null"), "invalid_join_ctx");
  EXPECT_EQ(join(R"({"a":1,"b":2,"c":3,"d":4,"e":5,"f":6,"g":7,"h":8,"i":9})"),
            "join_ctx_too_many_keys");
  EXPECT_EQ(join(R"({")" + std::string(65, 'k') + R"(":1})"), "join_ctx_key_too_long");
  EXPECT_EQ(join(R"({"k":")" + std::string(257, 'v') + R"("})"), "join_ctx_value_too_long");
  EXPECT_EQ(join(R"({"k":1.5})"), "invalid_join_ctx_value");
  EXPECT_EQ(join(R"({"k":[1]})"), "invalid_join_ctx_value");
  EXPECT_EQ(join(R"({"k":null})"), "invalid_join_ctx_value");
  Send(a, R"({"type":"match.join","payload":{"match_id":")" + id +
              R"(","ctx":{"team":"red","lvl":3,"vip":true}}})");
  EXPECT_TRUE(Frame(a.Last("match.joined")).ok());
}

TEST_F(MatchRoutingTest, JoinAndListAndInputErrors) {
  FakeClient& a = shards_->Connect(1, "p1");
  Send(a, R"({"type":"match.join","payload":{}})");
  EXPECT_EQ(LastError(a), "missing_field");
  Send(a, R"({"type":"match.join","payload":{"match_id":5}})");
  EXPECT_EQ(LastError(a), "match_not_found");
  Send(a, R"({"type":"match.join","payload":{"match_id":"0190a000-0000-7000-8000-000000000000"}})");
  EXPECT_EQ(LastError(a), "match_not_found");
  Send(a, R"({"type":"match.list","payload":{"mode":null}})");
  EXPECT_EQ(LastError(a), "invalid_mode_filter");
  Send(a, R"({"type":"match.list","payload":{"mode":")" + std::string(65, 'm') + R"("}})");
  EXPECT_EQ(LastError(a), "invalid_mode_filter");
  Send(a, R"({"type":"match.list","payload":{"has_capacity":"yes"}})");
  EXPECT_EQ(LastError(a), "invalid_has_capacity_filter");
  Send(a, R"({"type":"match.list","payload":{"joinable":1}})");
  EXPECT_EQ(LastError(a), "invalid_joinable_filter");
  for (const char* bad : {R"("x")", "[1]", "7", R"({"data":"[1]"})", R"({"data":"not json"})"}) {
    Send(a, std::string(R"({"type":"match.input","payload":)") + bad + "}");
    EXPECT_EQ(LastError(a), "invalid_payload") << bad;
  }
  std::string deep = std::string(70, '[') + std::string(70, ']');
  Send(a, R"({"type":"match.input","payload":{"d":)" + deep + "}}");
  EXPECT_EQ(LastError(a), "invalid_payload");
}

}  // namespace
}  // namespace asobi::match::test

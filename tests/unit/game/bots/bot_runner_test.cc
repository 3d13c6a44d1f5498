// BotRunner and runaway bot scripts (issue 10, defect 8; docs/decisions.md "Lua quarantine",
// "Node Lua memory"): a bot whose think keeps overrunning its 50 ms budget loses its script
// and plays on with the default AI; while the node Lua memory budget admits no new state, new
// bots get the default AI instead of a Lua state.
#include "game/bots/bot_runner.h"

#include <gtest/gtest.h>

#include <lua.hpp>

#include "../match/match_test_util.h"
#include "game/bots/bot_catalog.h"
#include "script/lua_state.h"

namespace asobi::bots {
namespace {

using match::test::FakeShards;
using match::test::TempGameDir;

constexpr char kMatch[] = R"(
match_size = 1
bots = { script = "bot.lua", min_players = 1 }
function init() return { players = {} } end
function join(p, s) s.players[p] = { x = 0, y = 0 } return s end
function leave(p, s) s.players[p] = nil return s end
function handle_input(p, input, s) s.last_input = input return s end
function tick(s) return s end
function get_state(p, s) return { players = s.players, phase = "playing" } end
)";

// think: loops forever while `slow` is true (a global the test flips).
constexpr char kBot[] = R"(
slow = true
function think(bot_id, state)
  if slow then while true do end end
  return { from_script = true }
end
)";

class BotRunnerTest : public ::testing::Test {
 protected:
  void Start(match::MatchOptions o = match::test::TestOptions()) {
    dir_.Write("match.lua", kMatch);
    dir_.Write("bot.lua", kBot);
    auto set = match::test::LoadOrDie(dir_);
    shards_ = std::make_unique<FakeShards>(1, o, set);
    catalog_ = BotCatalog::Build(*set);
    ASSERT_NE(catalog_->Find("default"), nullptr);
    shards_->Enter(0);
    runner_ = std::make_unique<BotRunner>(shards_->host(0), catalog_);
    shards_->find_other_client = [this](const ClientRef& ref) { return runner_->Find(ref); };
  }
  void TearDown() override {
    if (shards_) shards_->find_other_client = nullptr;
    runner_.reset();
  }
  // Creates a bot, joins it into a new match and lets it receive a view.
  ClientRef AddBot(const std::string& bot_id) {
    shards_->Enter(0);
    ClientRef ref = runner_->Create("default", bot_id);
    auto id = shards_->Enter(0).Create("default");
    EXPECT_TRUE(id.ok());
    match::JoinRequest req;
    req.match_id = id.value();
    req.player_id = bot_id;
    req.clients = {ref};
    req.ctx_json = "{}";
    bool joined = false;
    shards_->Enter(0).Join(std::move(req),
                           [&](match::JoinOutcome o) { joined = o.reason.empty(); });
    shards_->Drain();
    EXPECT_TRUE(joined);
    runner_->Start(ref, id.value());
    shards_->Advance(100);  // a tick: the bot gets its first match.state
    return ref;
  }

  TempGameDir dir_;
  std::unique_ptr<FakeShards> shards_;
  std::shared_ptr<const BotCatalog> catalog_;
  std::unique_ptr<BotRunner> runner_;
};

#ifdef ASOBI_LUAJIT_CHECKHOOK
// Bot states run with the JIT on: only the checkhook LuaJIT stops the compiled loop.
TEST_F(BotRunnerTest, RepeatedThinkOverrunsStopTheScriptForGood) {
  Start();
  AddBot("bot_a_000001");
  runner_->ThinkAllNow();
  runner_->ThinkAllNow();
  EXPECT_EQ(runner_->stats().fallbacks, 2u);
  EXPECT_EQ(runner_->stats().quarantined, 0u);
  runner_->ThinkAllNow();  // third overrun within the window
  EXPECT_EQ(runner_->stats().fallbacks, 3u);
  EXPECT_EQ(runner_->stats().quarantined, 1u);
  EXPECT_EQ(shards_->node().metrics().bots_quarantined.load(), 1u);
  // From now on the default AI answers at once: the script never runs again.
  runner_->ThinkAllNow();
  runner_->ThinkAllNow();
  EXPECT_EQ(runner_->stats().fallbacks, 3u);
  EXPECT_EQ(runner_->stats().thinks, 5u);
  EXPECT_EQ(runner_->size(), 1u) << "the bot keeps playing";
}
#endif  // ASOBI_LUAJIT_CHECKHOOK

TEST_F(BotRunnerTest, NewBotsGetTheDefaultAiWhenNodeLuaMemoryIsNearlyUsedUp) {
  match::MatchOptions o = match::test::TestOptions();
  o.lua_node_max_bytes = size_t{4} << 20;
  Start(o);
  // Another state holds most of the node budget.
  script::LuaStateOptions so;
  so.memory.node = &shards_->node().lua_memory();
  auto hog = script::LuaState::Create(so);
  ASSERT_TRUE(hog.ok());
  ASSERT_EQ(luaL_dostring((*hog)->get(),
                          "hold = {} for i = 1, 3 do hold[i] = string.rep('x', 900000 + i) end"),
            0);
  ASSERT_FALSE(shards_->node().lua_memory().AdmitNewState());
  shards_->Enter(0);
  runner_->Create("default", "bot_b_000002");
  EXPECT_EQ(runner_->stats().memory_refused, 1u);
  EXPECT_EQ(runner_->size(), 1u);
  // Once the memory is back, new bots run their script again.
  hog->reset();
  EXPECT_TRUE(shards_->node().lua_memory().AdmitNewState());
  runner_->Create("default", "bot_c_000003");
  EXPECT_EQ(runner_->stats().memory_refused, 1u);
}

}  // namespace
}  // namespace asobi::bots

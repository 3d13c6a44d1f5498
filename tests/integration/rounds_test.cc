// Game rounds end to end against the real server, no database (issue 13): the bots API
// (lua.md §9 game.bots.add/remove, §10).
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <regex>
#include <set>
#include <string>

#include "itest_checks.h"
#include "json_doc.h"
#include "rounds_player.h"
#include "server_harness.h"

namespace asobi::itest {
namespace {

constexpr char kToken1[] = "rounds-token-1";
constexpr char kPlayer1[] = "0190b000-0000-7000-8000-0000000000a1";
constexpr char kToken2[] = "rounds-token-2";
constexpr char kPlayer2[] = "0190b000-0000-7000-8000-0000000000a2";

void WriteFile(const std::string& path, const std::string& content) {
  std::string tmp = path + ".tmp";
  std::ofstream(tmp, std::ios::trunc) << content;
  rename(tmp.c_str(), path.c_str());
}

// Bots API test mode: the human's inputs drive game.bots.*; the state shows the bots that
// joined, the ids that left, the results of the calls and how many inputs bots sent.
std::string BotsScript(int max_players) {
  return "max_players = " + std::to_string(max_players) + R"(
match_size = 1
quick_play = true
function init() return { bots = {}, left = {}, results = {}, bot_inputs = 0, n = 0 } end
function join(p, s)
  if string.sub(p, 1, 4) == "bot_" then s.bots[#s.bots + 1] = p end
  return s
end
function leave(p, s)
  s.left[#s.left + 1] = p
  for i, b in ipairs(s.bots) do if b == p then table.remove(s.bots, i) break end end
  return s
end
local function note(s, r)
  if r == true then s.results[#s.results + 1] = "true"
  elseif type(r) == "table" then s.results[#s.results + 1] = tostring(r.error)
  else s.results[#s.results + 1] = tostring(r) end
end
function handle_input(p, i, s)
  if string.sub(p, 1, 4) == "bot_" then s.bot_inputs = s.bot_inputs + 1 return s end
  if i.adds then for _, name in ipairs(i.adds) do note(s, game.bots.add(name)) end end
  if i.add_many then for k = 1, i.add_many do game.bots.add("b" .. k) end end
  if i.remove then note(s, game.bots.remove(i.remove)) end
  if i.bad then
    note(s, game.bots.add(5))
    note(s, game.bots.add("bad name"))
    note(s, game.bots.add(""))
    note(s, game.bots.add(string.rep("x", 33)))
    note(s, game.bots.remove({}))
  end
  return s
end
function tick(s) s.n = s.n + 1 return s end
function get_state(p, s)
  return { bots = s.bots, nbots = #s.bots, left = s.left, results = s.results,
           bot_inputs = s.bot_inputs, n = s.n }
end
)";
}

class RoundsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char tmpl[] = "/tmp/asobi_rounds_itest_XXXXXX";
    game_dir_ = new std::string(mkdtemp(tmpl));
    WriteFile(*game_dir_ + "/botsy.lua", BotsScript(4));
    WriteFile(*game_dir_ + "/horde.lua", BotsScript(100));
    WriteFile(*game_dir_ + "/badbots.lua", BotsScript(4));
    WriteFile(*game_dir_ + "/config.lua", R"(return { botsy = "botsy.lua", horde = "horde.lua",
      badbots = "badbots.lua" })");
    server_ = new ServerProcess();
    ServerOptions o;
    o.flags = {"--game-dir", *game_dir_};
    o.dev_tokens = {{kToken1, kPlayer1}, {kToken2, kPlayer2}};
    started_ = new ::testing::AssertionResult(server_->Start(o));
  }
  static void TearDownTestSuite() {
    EXPECT_TRUE(server_->Stop());
    delete server_;
    delete started_;
    std::system(("rm -rf '" + *game_dir_ + "'").c_str());
    delete game_dir_;
  }
  void SetUp() override { ASSERT_TRUE(*started_); }
  void TearDown() override {
    if (HasFailure()) std::fprintf(stderr, "server log:\n%s", server_->log().c_str());
  }
  uint16_t port() const { return server_->port(); }

  static ServerProcess* server_;
  static ::testing::AssertionResult* started_;
  static std::string* game_dir_;
};

ServerProcess* RoundsTest::server_ = nullptr;
::testing::AssertionResult* RoundsTest::started_ = nullptr;
std::string* RoundsTest::game_dir_ = nullptr;

std::set<std::string> StrArray(const JsonDoc& d, JsonPath path) {
  std::set<std::string> out;
  auto v = d.At(path);
  if (!v || !v->is_array()) return out;
  for (auto e : v->get_array()) {
    std::string_view s;
    if (e.get(s) == simdjson::SUCCESS) out.insert(std::string(s));
  }
  return out;
}

auto NBots(int64_t n) {
  return [n](const JsonDoc& d) { return d.Int({"payload", "nbots"}) == n; };
}

TEST_F(RoundsTest, BotsJoinThroughJoinUpToMaxPlayersAndLeaveThroughLeave) {
  RoundsPlayer a;
  ASSERT_TRUE(a.Connect(port(), kToken1));
  JsonDoc joined = a.Call("match.find_or_create", R"({"mode":"botsy"})");
  ASSERT_EQ(joined.Str({"type"}), "match.joined") << joined.text();
  // One human + 3 bots fills max_players 4: the repeated name and the fifth seat are no-ops.
  a.Input(R"({"adds":["Rex","Rex","Max","Zed","Ida"]})");
  JsonDoc s;
  ASSERT_TRUE(a.WaitFor("match.state", NBots(3), &s)) << s.text();
  EXPECT_EQ(s.Raw({"payload", "results"}), R"(["true","true","true","true","true"])");
  std::set<std::string> ids = StrArray(s, {"payload", "bots"});
  std::set<std::string> names;
  std::string rex;
  const std::regex id_re("bot_([A-Za-z0-9_-]+)_[0-9a-f]{6}");
  for (const std::string& id : ids) {
    std::smatch m;
    ASSERT_TRUE(std::regex_match(id, m, id_re)) << id;
    names.insert(m[1]);
    if (m[1] == "Rex") rex = id;
  }
  EXPECT_EQ(names, (std::set<std::string>{"Rex", "Max", "Zed"}));
  // Bots are live roster members: they get match.state and send inputs (default AI).
  ASSERT_TRUE(a.WaitFor(
      "match.state",
      [](const JsonDoc& d) {
        return d.Int({"payload", "bot_inputs"}) > 3;
      },
      &s))
      << s.text();
  // Remove by bare name, then by full id: each leaves through `leave`.
  a.Input(R"({"remove":"Max"})");
  ASSERT_TRUE(a.WaitFor("match.state", NBots(2), &s)) << s.text();
  EXPECT_EQ(StrArray(s, {"payload", "left"}).size(), 1u);
  a.Input(R"({"remove":")" + rex + R"("})");
  ASSERT_TRUE(a.WaitFor("match.state", NBots(1), &s)) << s.text();
  EXPECT_EQ(StrArray(s, {"payload", "left"}).count(rex), 1u);
  // A free seat again: a new bot may join.
  a.Input(R"({"adds":["Ida"]})");
  ASSERT_TRUE(a.WaitFor("match.state", NBots(2), &s)) << s.text();
  EXPECT_EQ(a.Call("match.leave", "{}").Str({"type"}), "match.left");
}

TEST_F(RoundsTest, BadBotNamesAndArgumentsReturnErrors) {
  RoundsPlayer a;
  ASSERT_TRUE(a.Connect(port(), kToken2));
  JsonDoc joined = a.Call("match.find_or_create", R"({"mode":"badbots"})");
  ASSERT_EQ(joined.Str({"type"}), "match.joined") << joined.text();
  a.Input(R"({"bad":true})");
  JsonDoc s;
  ASSERT_TRUE(a.WaitFor(
      "match.state",
      [](const JsonDoc& d) {
        return d.Raw({"payload", "results"}) != "[]";
      },
      &s))
      << s.text();
  EXPECT_EQ(s.Raw({"payload", "results"}),
            R"x(["game.bots.add requires (name)","invalid_bot_name","invalid_bot_name",)x"
            R"x("invalid_bot_name","game.bots.remove requires (name_or_id)"])x");
  EXPECT_EQ(s.Int({"payload", "nbots"}), 0);
  EXPECT_EQ(a.Call("match.leave", "{}").Str({"type"}), "match.left");
}

TEST_F(RoundsTest, AMatchHoldsAtMostSixtyFourBots) {
  RoundsPlayer a;
  ASSERT_TRUE(a.Connect(port(), kToken1));
  JsonDoc joined = a.Call("match.find_or_create", R"({"mode":"horde"})");
  ASSERT_EQ(joined.Str({"type"}), "match.joined") << joined.text();
  a.Input(R"({"add_many":70})");
  JsonDoc s;
  ASSERT_TRUE(a.WaitFor("match.state", NBots(64), &s)) << s.text();
  // The no-op decisions were taken at the call: later ticks still show 64.
  const int64_t n = s.Int({"payload", "n"}).value_or(0);
  ASSERT_TRUE(a.WaitFor(
      "match.state",
      [n](const JsonDoc& d) {
        return d.Int({"payload", "n"}) >= n + 5;
      },
      &s));
  EXPECT_EQ(s.Int({"payload", "nbots"}), 64);
  EXPECT_EQ(a.Call("match.leave", "{}").Str({"type"}), "match.left");
}

}  // namespace
}  // namespace asobi::itest

// Mode loader (lua.md §1 "Game directory", §2 "Mode globals", §12 readable load errors).
#include "game/modes/mode_loader.h"

#include <gtest/gtest.h>

#include "match_test_util.h"

namespace asobi::modes {
namespace {

using match::test::TempGameDir;

constexpr char kMinimal[] = R"(
match_size = 2
function init(c) return {} end
function join(p, s) return s end
function leave(p, s) return s end
function handle_input(p, i, s) return s end
function tick(s) return s end
function get_state(p, s) return {} end
)";

TEST(ModeLoaderTest, ManifestRegistersEveryEntry) {
  TempGameDir dir;
  dir.Write("config.lua", R"(return { demo = "demo/match.lua", other = "o.lua" })");
  dir.Write("demo/match.lua", std::string(kMinimal) + "max_players = 4 listed = true\n");
  dir.Write("o.lua", std::string(kMinimal) + "min_players = 1 quick_play = true\n");
  auto set = LoadModes(dir.path());
  ASSERT_TRUE(set.ok()) << set.error().message;
  ASSERT_EQ(set->modes.size(), 2u);
  auto demo = set->Find("demo");
  ASSERT_TRUE(demo);
  EXPECT_EQ(demo->match_size, 2);
  EXPECT_EQ(demo->max_players, 4);
  EXPECT_EQ(demo->min_players, 2);
  EXPECT_TRUE(demo->listed);
  EXPECT_FALSE(demo->quick_play);
  EXPECT_EQ(demo->script_rel, "demo/match.lua");
  EXPECT_EQ(demo->dir_rel, "demo/");
  auto other = set->Find("other");
  ASSERT_TRUE(other);
  EXPECT_EQ(other->min_players, 1);
  EXPECT_TRUE(other->quick_play);
  EXPECT_FALSE(other->listed);
}

TEST(ModeLoaderTest, LoneMatchLuaIsTheDefaultMode) {
  TempGameDir dir;
  dir.Write("match.lua", kMinimal);
  auto set = LoadModes(dir.path());
  ASSERT_TRUE(set.ok()) << set.error().message;
  ASSERT_TRUE(set->Find("default"));
  EXPECT_EQ(set->modes.size(), 1u);
}

TEST(ModeLoaderTest, EmptyDirectoryHasNoModes) {
  TempGameDir dir;
  auto set = LoadModes(dir.path());
  ASSERT_TRUE(set.ok());
  EXPECT_TRUE(set->modes.empty());
}

TEST(ModeLoaderTest, MissingDirectoryIsAnError) {
  auto set = LoadModes("/nonexistent/asobi/game");
  ASSERT_FALSE(set.ok());
  EXPECT_EQ(set.error().reason, "game_dir_missing");
}

TEST(ModeLoaderTest, SyntaxErrorNamesFileAndLine) {
  TempGameDir dir;
  dir.Write("config.lua", R"(return { demo = "demo/match.lua" })");
  dir.Write("demo/match.lua", "match_size = 2\n\nlocal x = = 3\n");
  auto set = LoadModes(dir.path());
  ASSERT_FALSE(set.ok());
  EXPECT_EQ(set.error().reason, "mode_load_failed");
  EXPECT_NE(set.error().message.find("demo/match.lua:3:"), std::string::npos)
      << set.error().message;
}

TEST(ModeLoaderTest, Lua53OperatorsGetReadableHints) {
  TempGameDir dir;
  dir.Write("match.lua", "match_size = 2\nlocal half = 7 // 2\n");
  auto set = LoadModes(dir.path());
  ASSERT_FALSE(set.ok());
  EXPECT_NE(set.error().message.find("`//` is not supported; use math.floor"), std::string::npos)
      << set.error().message;
  dir.Write("match.lua", "match_size = 2\nlocal m = 6 & 3\n");
  set = LoadModes(dir.path());
  ASSERT_FALSE(set.ok());
  EXPECT_NE(set.error().message.find("bit.band"), std::string::npos) << set.error().message;
}

TEST(ModeLoaderTest, MissingOrInvalidMatchSizeRejectsTheMode) {
  TempGameDir dir;
  dir.Write("match.lua", "function init() return {} end\n");
  auto set = LoadModes(dir.path());
  ASSERT_FALSE(set.ok());
  EXPECT_NE(set.error().message.find("match.lua: match_size is required"), std::string::npos)
      << set.error().message;
  dir.Write("match.lua", "match_size = 'two'\n");
  EXPECT_FALSE(LoadModes(dir.path()).ok());
  dir.Write("match.lua", "match_size = 0.5\n");
  EXPECT_FALSE(LoadModes(dir.path()).ok());
  dir.Write("match.lua", "match_size = 3.9\n");
  set = LoadModes(dir.path());
  ASSERT_TRUE(set.ok());
  EXPECT_EQ(set->Find("default")->match_size, 3);  // truncated
}

TEST(ModeLoaderTest, OneBadEntryFailsTheWholeSet) {
  TempGameDir dir;
  dir.Write("config.lua", R"(return { good = "good.lua", bad = "bad.lua" })");
  dir.Write("good.lua", kMinimal);
  dir.Write("bad.lua", "error('boom at load')\n");
  auto set = LoadModes(dir.path());
  ASSERT_FALSE(set.ok());
  EXPECT_NE(set.error().message.find("bad.lua:1: boom at load"), std::string::npos)
      << set.error().message;
}

TEST(ModeLoaderTest, ManifestPathRules) {
  TempGameDir dir;
  dir.Write("m.lua", kMinimal);
  for (const char* path : {"../m.lua", "/etc/passwd", "", "./m.lua", "a//m.lua", "m\x01.lua"}) {
    dir.Write("config.lua", std::string("return { x = \"") + path + "\" }");
    EXPECT_FALSE(LoadModes(dir.path()).ok()) << path;
  }
  dir.Write("config.lua", R"(return { x = "missing.lua" })");
  EXPECT_FALSE(LoadModes(dir.path()).ok());
}

TEST(ModeLoaderTest, ManifestMustReturnAStringTable) {
  TempGameDir dir;
  dir.Write("m.lua", kMinimal);
  dir.Write("config.lua", "return 42");
  EXPECT_FALSE(LoadModes(dir.path()).ok());
  dir.Write("config.lua", "return { x = 1 }");
  EXPECT_FALSE(LoadModes(dir.path()).ok());
  // The manifest runs in a bare sandbox: no game table, no require.
  dir.Write("config.lua", "require('m') return {}");
  EXPECT_FALSE(LoadModes(dir.path()).ok());
  dir.Write("config.lua", "local g = game.id() return {}");
  EXPECT_FALSE(LoadModes(dir.path()).ok());
#ifdef ASOBI_LUAJIT_CHECKHOOK  // loader states run the JIT: only this build stops a compiled loop
  dir.Write("config.lua", "while true do end");
  auto set = LoadModes(dir.path());
  ASSERT_FALSE(set.ok());
  EXPECT_NE(set.error().message.find("2000 ms"), std::string::npos) << set.error().message;
#endif
}

TEST(ModeLoaderTest, DeploymentGlobalsFromTheManifest) {
  TempGameDir dir;
  dir.Write("m.lua", kMinimal);
  dir.Write("config.lua", "guest_auth = true registration = 'closed' return { m = 'm.lua' }");
  auto set = LoadModes(dir.path());
  ASSERT_TRUE(set.ok()) << set.error().message;
  EXPECT_EQ(set->guest_auth, std::optional<bool>(true));
  EXPECT_EQ(set->registration, "closed");
}

TEST(ModeLoaderTest, TypingRulesOfModeGlobals) {
  TempGameDir dir;
  dir.Write("match.lua", std::string(kMinimal) +
                             "max_players = -1 min_players = 'x' listed = 0 quick_play = 'yes'\n"
                             "strategy = 'weird' state_strategy = 'shared' game_type = 'world'\n");
  auto set = LoadModes(dir.path());
  ASSERT_TRUE(set.ok()) << set.error().message;
  auto m = set->Find("default");
  EXPECT_EQ(m->max_players, 2);  // invalid -> default match_size
  EXPECT_EQ(m->min_players, 2);
  EXPECT_EQ(m->strategy, "fill");  // anything else acts as fill
  EXPECT_TRUE(m->shared_state);
  EXPECT_TRUE(m->is_world);
  EXPECT_TRUE(m->listed);  // non-boolean ignored: world default (true)
  EXPECT_TRUE(m->quick_play);
}

TEST(ModeLoaderTest, TopLevelMayRequireModulesButNotTouchGame) {
  TempGameDir dir;
  dir.Write("lib/util.lua", "return { size = 3 }");
  dir.Write("match.lua", "local u = require('lib.util') match_size = u.size\n");
  auto set = LoadModes(dir.path());
  ASSERT_TRUE(set.ok()) << set.error().message;
  EXPECT_EQ(set->Find("default")->match_size, 3);
  dir.Write("match.lua", "match_size = 2 game.log('info', 'x')\n");
  EXPECT_FALSE(LoadModes(dir.path()).ok());
}

TEST(ModeLoaderTest, BytecodeIsRefused) {
  TempGameDir dir;
  dir.Write("match.lua", "\x1bLJ\x02garbage");
  auto set = LoadModes(dir.path());
  ASSERT_FALSE(set.ok());
  EXPECT_NE(set.error().message.find("precompiled"), std::string::npos);
}

}  // namespace
}  // namespace asobi::modes

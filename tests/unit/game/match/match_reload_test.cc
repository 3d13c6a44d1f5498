// Hot reload (lua.md §16): code changes reach running matches between two ticks; the state is
// kept; a broken file leaves the old code; required modules are re-read; the mode watcher
// (inotify) reports changed files and re-derives the modes. `require` reads modules from the
// node's module sources, never from the disk (issue 10, defect 12).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "game/modes/mode_watcher.h"
#include "match_test_util.h"

namespace asobi::match::test {
namespace {

std::string Script(int version, const std::string& extra = "") {
  std::string out = R"(
match_size = 1
local util = require("lib.util")
function init() return { n = 0 } end
function join(p, s) return s end
function leave(p, s) return s end
function handle_input(p, i, s) return s end
function tick(s) s.n = s.n + 1 return s end
function get_state(p, s)
  return { n = s.n, speed = util.speed, version = )";
  out.append(std::to_string(version)).append(" }\nend\n").append(extra);
  return out;
}

class MatchReloadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.Write("lib/util.lua", "return { speed = 1 }");
    dir_.Write("match.lua", Script(1));
    shards_ = std::make_unique<FakeShards>(1, TestOptions(), LoadOrDie(dir_));
    id_ = shards_->Enter(0).Create("default").value();
    a_ = &shards_->Connect(0, "p1");
    ASSERT_TRUE(JoinNow(*shards_, id_, *a_).ok());
    shards_->Advance(300);
  }
  // What the mode watcher does after a change: read the directory again, publish it to the
  // module sources, then tell every shard.
  void Change(const std::string& rel, const std::string& content) {
    dir_.Write(rel, content);
    shards_->registry().sources().Publish(script::ModuleSources::Scan(dir_.path()));
    modes::ChangedFiles files;
    files[dir_.Abs(rel)] = std::make_shared<const std::string>(content);
    shards_->Enter(0).OnScriptsChanged(files);
  }
  Frame Last() { return Frame(a_->Last("match.state")); }

  TempGameDir dir_;
  std::unique_ptr<FakeShards> shards_;
  std::string id_;
  FakeClient* a_ = nullptr;
};

TEST_F(MatchReloadTest, NewCodeRunsFromTheNextTickAndTheStateIsKept) {
  EXPECT_EQ(Last().Num({"payload", "version"}), 1);
  EXPECT_EQ(Last().Num({"payload", "n"}), 3);
  Change("match.lua", Script(2));
  shards_->Advance(100);
  EXPECT_EQ(Last().Num({"payload", "version"}), 2);
  EXPECT_EQ(Last().Num({"payload", "n"}), 4) << "state survives, init is not re-run";
  EXPECT_EQ(shards_->node().metrics().reloads.load(), 1u);
}

TEST_F(MatchReloadTest, SyntaxErrorKeepsTheOldCode) {
  Change("match.lua", "function get_state(p, s) return { version = 9 ");
  shards_->Advance(100);
  EXPECT_EQ(Last().Num({"payload", "version"}), 1);
  EXPECT_EQ(shards_->node().metrics().reload_failures.load(), 1u);
  // Not retried until the file changes again.
  shards_->Advance(100);
  EXPECT_EQ(shards_->node().metrics().reload_failures.load(), 1u);
  Change("match.lua", Script(3));
  shards_->Advance(100);
  EXPECT_EQ(Last().Num({"payload", "version"}), 3);
}

TEST_F(MatchReloadTest, RuntimeErrorRestoresTheGlobals) {
  Change("match.lua", Script(4, "extra_global = true\nerror('half way')\n"));
  shards_->Advance(100);
  EXPECT_EQ(Last().Num({"payload", "version"}), 1)
      << "get_state assigned before the error is undone";
  EXPECT_EQ(shards_->node().metrics().reload_failures.load(), 1u);
}

TEST_F(MatchReloadTest, ChangedRequiredModuleIsReRead) {
  EXPECT_EQ(Last().Num({"payload", "speed"}), 1);
  Change("lib/util.lua", "return { speed = 5 }");
  shards_->Advance(100);
  EXPECT_EQ(Last().Num({"payload", "speed"}), 5);
  EXPECT_EQ(Last().Num({"payload", "version"}), 1);
}

TEST_F(MatchReloadTest, ModuleChangedOnDiskIsSeenOnlyOnceTheSourcesArePublished) {
  dir_.Write("lib/util.lua", "return { speed = 9 }");  // not re-read yet
  modes::ChangedFiles files;
  files[dir_.Abs("match.lua")] = std::make_shared<const std::string>(Script(2));
  shards_->Enter(0).OnScriptsChanged(files);
  shards_->Advance(100);
  EXPECT_EQ(Last().Num({"payload", "version"}), 2);
  EXPECT_EQ(Last().Num({"payload", "speed"}), 1) << "require read the disk";
  Change("lib/util.lua", "return { speed = 9 }");
  shards_->Advance(100);
  EXPECT_EQ(Last().Num({"payload", "speed"}), 9);
}

TEST(MatchRequireTest, LazyRequireInACallbackReadsNoFile) {
  TempGameDir dir;
  dir.Write("lib/lazy.lua", "return { value = 42 }");
  dir.Write("match.lua", R"(
match_size = 1
function init() return {} end
function join(p, s) return s end
function leave(p, s) return s end
function handle_input(p, input, s) s.value = require("lib.lazy").value return s end
function tick(s) return s end
function get_state(p, s) return { value = s.value } end
)");
  FakeShards shards(1, TestOptions(), LoadOrDie(dir));
  std::string id = shards.Enter(0).Create("default").value();
  FakeClient& a = shards.Connect(0, "p1");
  ASSERT_TRUE(JoinNow(shards, id, a).ok());
  ASSERT_EQ(std::remove((dir.path() + "/lib/lazy.lua").c_str()), 0);
  shards.Enter(0).Input(id, "p1", "{}", a.ref());
  shards.Advance(100);
  EXPECT_EQ(Frame(a.Last("match.state")).Num({"payload", "value"}), 42)
      << "the module came from the sources read at load, not from the (now empty) disk";
  EXPECT_EQ(shards.node().metrics().callback_errors.load(), 0u);
}

TEST_F(MatchReloadTest, UnrelatedFilesAndDisabledReloadChangeNothing) {
  Change("other.lua", "return 1");
  shards_->Advance(100);
  EXPECT_EQ(shards_->node().metrics().reloads.load(), 0u);
  MatchOptions o = TestOptions();
  o.reload_enabled = false;
  shards_ = std::make_unique<FakeShards>(1, o, LoadOrDie(dir_));
  id_ = shards_->Enter(0).Create("default").value();
  a_ = &shards_->Connect(0, "p1");
  JoinNow(*shards_, id_, *a_);
  Change("match.lua", Script(7));
  shards_->Advance(100);
  EXPECT_EQ(Last().Num({"payload", "version"}), 1);
}

TEST_F(MatchReloadTest, EveryRunningMatchReloadsAtItsNextTick) {
  std::vector<FakeClient*> clients;
  for (int i = 0; i < 20; ++i) {
    std::string id = shards_->Enter(0).Create("default").value();
    std::string player = "q";
    player.append(std::to_string(i));
    clients.push_back(&shards_->Connect(0, player));
    JoinNow(*shards_, id, *clients.back());
  }
  shards_->Advance(100);
  Change("match.lua", Script(8));
  shards_->Advance(100);
  for (FakeClient* c : clients) {
    EXPECT_EQ(Frame(c->Last("match.state")).Num({"payload", "version"}), 8) << c->player_id();
  }
  EXPECT_EQ(shards_->node().metrics().reloads.load(), 21u);
}

TEST(ModeWatcherTest, ReportsChangedFilesAndRederivesModes) {
  TempGameDir dir;
  dir.Write("config.lua", R"(return { a = "a/match.lua" })");
  dir.Write("a/match.lua", "match_size = 2\n");
  auto set = modes::LoadModes(dir.path());
  ASSERT_TRUE(set.ok());
  modes::ModeRegistry registry;
  registry.Publish(std::make_shared<const modes::ModeSet>(std::move(set.value())));
  std::mutex mu;
  std::vector<modes::ChangedFiles> seen;
  std::vector<std::shared_ptr<const std::string>> published;  // what require saw at each report
  modes::ModeWatcher watcher(
      dir.path(), &registry,
      [&](std::shared_ptr<const modes::ChangedFiles> f) {
        std::lock_guard<std::mutex> lock(mu);
        seen.push_back(*f);
        published.push_back(registry.sources().Current()->Text(dir.Abs("a/match.lua")));
      },
      20);
  ASSERT_TRUE(watcher.Start().ok());
  auto wait_for = [&](size_t n) {
    for (int i = 0; i < 500; ++i) {
      {
        std::lock_guard<std::mutex> lock(mu);
        if (seen.size() >= n) return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  };
  dir.Write("a/match.lua", "match_size = 3\n");
  ASSERT_TRUE(wait_for(1));
  {
    std::lock_guard<std::mutex> lock(mu);
    auto it = seen[0].find(dir.Abs("a/match.lua"));
    ASSERT_NE(it, seen[0].end());
    ASSERT_TRUE(it->second);
    EXPECT_EQ(*it->second, "match_size = 3\n");
    ASSERT_TRUE(published[0]) << "the sources are published before instances are told";
    EXPECT_EQ(*published[0], "match_size = 3\n");
  }
  EXPECT_EQ(registry.Current()->Find("a")->match_size, 3);
  // A broken change keeps the previous set but is still reported.
  dir.Write("a/match.lua", "match_size = \n");
  ASSERT_TRUE(wait_for(2));
  EXPECT_EQ(registry.Current()->Find("a")->match_size, 3);
  {
    std::lock_guard<std::mutex> lock(mu);
    ASSERT_TRUE(published[1]);
    EXPECT_EQ(*published[1], "match_size = \n") << "published even though the modes failed";
  }
  // New subdirectories are watched too.
  dir.Write("b/new.lua", "return 1");
  ASSERT_TRUE(wait_for(3));
}

}  // namespace
}  // namespace asobi::match::test

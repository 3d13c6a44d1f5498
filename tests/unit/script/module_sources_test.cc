// Module sources (issue 10, defect 12): the game directory's `.lua` files read into memory off
// the shards, and `require` (lua.md §1) served from them without touching the disk.
#include "script/module_sources.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <lua.hpp>
#include <string>
#include <vector>

#include "script/lua_state.h"
#include "script/protected_call.h"
#include "script/require.h"
#include "script_test_util.h"

namespace asobi::script {
namespace {

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/asobi_sources_test_XXXXXX";
    path_ = mkdtemp(tmpl);
    char real[4096];
    path_ = realpath(path_.c_str(), real);
  }
  ~TempDir() { std::system(("rm -rf '" + path_ + "'").c_str()); }
  const std::string& path() const { return path_; }
  std::string Abs(const std::string& rel) const { return path_ + "/" + rel; }
  void Write(const std::string& rel, const std::string& content) const {
    std::string full = Abs(rel);
    for (size_t i = path_.size() + 1; i < full.size(); ++i) {
      if (full[i] == '/') mkdir(full.substr(0, i).c_str(), 0755);
    }
    std::ofstream(full, std::ios::trunc) << content;
  }

 private:
  std::string path_;
};

using Kind = ModuleSources::Kind;

TEST(ModuleSources, ScanReadsEveryLuaFileBelowTheRoot) {
  TempDir dir;
  dir.Write("match.lua", "return 1");
  dir.Write("lib/util.lua", "return 2");
  dir.Write("lib/deep/more.lua", "return 3");
  dir.Write("notes.txt", "not lua");
  ASSERT_EQ(symlink(dir.Abs("lib/util.lua").c_str(), dir.Abs("link.lua").c_str()), 0);
  ASSERT_EQ(symlink(dir.Abs("lib").c_str(), dir.Abs("linked_dir").c_str()), 0);
  auto s = ModuleSources::Scan(dir.path() + "/./");
  EXPECT_EQ(s->root(), dir.path());
  ASSERT_NE(s->Text(dir.Abs("lib/deep/more.lua")), nullptr);
  EXPECT_EQ(*s->Text(dir.Abs("lib/util.lua")), "return 2");
  EXPECT_EQ(*s->Text(dir.Abs("match.lua")), "return 1");
  EXPECT_EQ(s->Find(dir.Abs("notes.txt")), nullptr);
  ASSERT_NE(s->Find(dir.Abs("link.lua")), nullptr);
  EXPECT_EQ(s->Find(dir.Abs("link.lua"))->kind, Kind::kSymlink);
  EXPECT_EQ(s->Text(dir.Abs("link.lua")), nullptr);
  EXPECT_EQ(s->Find(dir.Abs("linked_dir/util.lua")), nullptr) << "symlinked dirs are not entered";
  EXPECT_EQ(s->file_count(), 4u);
  EXPECT_EQ(s->total_bytes(), 24u);
  EXPECT_EQ(s->skipped(), 0u);
}

TEST(ModuleSources, LimitsListTheRestAsUnreadable) {
  TempDir dir;
  dir.Write("a.lua", std::string(100, 'a'));
  dir.Write("b.lua", std::string(100, 'b'));
  dir.Write("c.lua", std::string(1000, 'c'));
  ModuleSourceLimits limits;
  limits.file_max_bytes = 500;
  limits.total_max_bytes = 150;
  auto s = ModuleSources::Scan(dir.path(), limits);
  EXPECT_EQ(s->Find(dir.Abs("a.lua"))->kind, Kind::kFile);
  EXPECT_EQ(s->Find(dir.Abs("b.lua"))->kind, Kind::kUnreadable) << "total limit";
  EXPECT_EQ(s->Find(dir.Abs("c.lua"))->kind, Kind::kUnreadable) << "file limit";
  EXPECT_EQ(s->skipped(), 2u);
  EXPECT_EQ(s->total_bytes(), 100u);
}

TEST(ModuleSources, UnchangedTextsAreSharedWithThePreviousScan) {
  TempDir dir;
  dir.Write("a.lua", "return 'a'");
  dir.Write("b.lua", "return 'b'");
  auto first = ModuleSources::Scan(dir.path());
  dir.Write("b.lua", "return 'B'");
  auto second = ModuleSources::Scan(dir.path(), {}, first);
  EXPECT_EQ(second->Text(dir.Abs("a.lua")).get(), first->Text(dir.Abs("a.lua")).get());
  EXPECT_EQ(*second->Text(dir.Abs("b.lua")), "return 'B'");
  EXPECT_EQ(*first->Text(dir.Abs("b.lua")), "return 'b'") << "snapshots are immutable";
}

TEST(ModuleSources, MissingRootIsEmpty) {
  auto s = ModuleSources::Scan("/nonexistent/asobi/game");
  EXPECT_EQ(s->file_count(), 0u);
}

class RequireTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.Write("lib/util.lua", "local name = ... return { name = name, n = 7 }");
    dir_.Write("lib/broken.lua", "return {");
    dir_.Write("lib/big.lua", std::string(2000, '-'));
    ASSERT_EQ(symlink(dir_.Abs("lib/util.lua").c_str(), dir_.Abs("lib/link.lua").c_str()), 0);
    ModuleSourceLimits limits;
    limits.file_max_bytes = 1000;
    registry_.Publish(ModuleSources::Scan(dir_.path(), limits));
    auto state = LuaState::Create();
    ASSERT_TRUE(state.ok());
    state_ = std::move(state.value());
    RequireConfig rc{dir_.path(), "game/", &registry_};
    ASSERT_TRUE(RunProtected(L(), [&](lua_State* s) { InstallRequire(s, rc, &loaded_); }).ok);
  }
  lua_State* L() { return state_->get(); }
  std::string Eval(const std::string& expr) { return test_util::Eval(L(), expr); }

  TempDir dir_;
  ModuleSourceRegistry registry_;
  std::unique_ptr<LuaState> state_;
  std::vector<std::string> loaded_;
};

TEST_F(RequireTest, ModulesComeFromTheSourcesNotTheDisk) {
  ASSERT_EQ(unlink(dir_.Abs("lib/util.lua").c_str()), 0);
  EXPECT_EQ(Eval("require('lib.util').n"), "7");
  EXPECT_EQ(Eval("require('lib.util').name"), "lib.util");
  EXPECT_EQ(Eval("_ASOBI_LOADED['lib.util'].n"), "7");
  ASSERT_EQ(loaded_.size(), 1u) << "cached after the first require";
  EXPECT_EQ(loaded_[0], dir_.Abs("lib/util.lua"));
}

TEST_F(RequireTest, ANewSnapshotIsSeenByTheNextUncachedRequire) {
  dir_.Write("lib/fresh.lua", "return 'fresh'");
  EXPECT_NE(Eval("select(2, pcall(require, 'lib.fresh'))").find("module 'lib.fresh' not found"),
            std::string::npos);
  registry_.Publish(ModuleSources::Scan(dir_.path()));
  EXPECT_EQ(Eval("require('lib.fresh')"), "fresh");
}

TEST_F(RequireTest, ErrorsAreRaisedInTheCaller) {
  EXPECT_NE(Eval("select(2, pcall(require, 'lib.missing'))").find("module 'lib.missing' not found"),
            std::string::npos);
  EXPECT_NE(Eval("select(2, pcall(require, 'lib.link'))").find("symlinks are not allowed"),
            std::string::npos);
  EXPECT_NE(Eval("select(2, pcall(require, 'lib.big'))").find("module 'lib.big': cannot read"),
            std::string::npos);
  EXPECT_NE(Eval("select(2, pcall(require, 'lib.broken'))").find("game/lib/broken.lua:1:"),
            std::string::npos);
  EXPECT_NE(Eval("select(2, pcall(require, '../x'))").find("invalid module name"),
            std::string::npos);
}

TEST(RequireWithoutSources, EveryModuleIsNotFound) {
  auto state = LuaState::Create();
  ASSERT_TRUE(state.ok());
  lua_State* L = (*state)->get();
  RequireConfig rc{"/tmp", "", nullptr};
  ASSERT_TRUE(RunProtected(L, [&](lua_State* s) { InstallRequire(s, rc, nullptr); }).ok);
  EXPECT_NE(test_util::Eval(L, "select(2, pcall(require, 'x'))").find("module 'x' not found"),
            std::string::npos);
}

}  // namespace
}  // namespace asobi::script

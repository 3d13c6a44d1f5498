// LoadChunk's per-thread bytecode cache (script/chunk_cache.h): a source is parsed once per
// thread, and a chunk loaded from the cache behaves exactly like one compiled from source.
#include "script/chunk_cache.h"

#include <gtest/gtest.h>

#include <lua.hpp>
#include <memory>
#include <string>

#include "script/lua_state.h"
#include "script/script_file.h"
#include "script_test_util.h"

namespace asobi::script {
namespace {

std::unique_ptr<LuaState> NewState() {
  auto state = LuaState::Create(LuaStateOptions{});
  EXPECT_TRUE(state.ok());
  return std::move(state.value());
}

// Loads `source` as `name` and calls it; returns its string result or "ERROR: <message>".
std::string LoadAndCall(lua_State* L, const std::string& source, const std::string& name) {
  Status st = LoadChunk(L, source, name);
  if (!st.ok()) return "LOAD: " + st.error().message;
  CallResult r = CallWithBudget(L, 0, 1, 2000);
  if (!r.ok()) return "ERROR: " + r.message;
  std::string out = lua_tostring(L, -1) ? lua_tostring(L, -1) : "(nil)";
  lua_pop(L, 1);
  return out;
}

TEST(ChunkCacheTest, SecondStateLoadsTheSameSourceFromTheCache) {
  ChunkCache& cache = ChunkCache::ForThisThread();
  const std::string source =
      "local t = {} for i = 1, 3 do t[i] = i * 2 end\n"
      "return table.concat(t, ',') .. ':cache-test-1'";
  uint64_t hits = cache.hits(), stores = cache.stores();
  auto a = NewState();
  auto b = NewState();
  EXPECT_EQ(LoadAndCall(a->get(), source, "cache/one.lua"), "2,4,6:cache-test-1");
  EXPECT_EQ(cache.stores(), stores + 1);
  EXPECT_EQ(cache.hits(), hits);
  EXPECT_EQ(LoadAndCall(b->get(), source, "cache/one.lua"), "2,4,6:cache-test-1");
  EXPECT_EQ(cache.hits(), hits + 1);
  EXPECT_EQ(cache.stores(), stores + 1);
}

TEST(ChunkCacheTest, CachedChunkKeepsFileAndLineInErrors) {
  const std::string source = "local x = 1\nlocal y = 2\nerror('boom-' .. (x + y))\n";
  auto a = NewState();
  auto b = NewState();
  std::string first = LoadAndCall(a->get(), source, "cache/err.lua");
  std::string second = LoadAndCall(b->get(), source, "cache/err.lua");
  EXPECT_NE(first.find("cache/err.lua:3: boom-3"), std::string::npos) << first;
  EXPECT_EQ(second, first);
}

TEST(ChunkCacheTest, EditedSourceOrOtherNameIsCompiledAgain) {
  ChunkCache& cache = ChunkCache::ForThisThread();
  auto a = NewState();
  EXPECT_EQ(LoadAndCall(a->get(), "return 'v1'", "cache/edit.lua"), "v1");
  uint64_t hits = cache.hits();
  EXPECT_EQ(LoadAndCall(a->get(), "return 'v2'", "cache/edit.lua"), "v2");
  EXPECT_EQ(LoadAndCall(a->get(), "return 'v1'", "cache/other.lua"), "v1");
  EXPECT_EQ(cache.hits(), hits);
}

TEST(ChunkCacheTest, SyntaxErrorsAreNotCachedAndBytecodeStaysRefused) {
  ChunkCache& cache = ChunkCache::ForThisThread();
  auto a = NewState();
  uint64_t stores = cache.stores();
  std::string r = LoadAndCall(a->get(), "return (", "cache/bad.lua");
  EXPECT_EQ(r.rfind("LOAD: ", 0), 0u) << r;
  EXPECT_EQ(cache.stores(), stores);
  // A source that is itself bytecode is refused, cached or not.
  std::string dumped = "\x1bLJ";
  Status st = LoadChunk(a->get(), dumped, "cache/bin.lua");
  EXPECT_FALSE(st.ok());
}

TEST(ChunkCacheTest, FullCacheStartsOverInsteadOfGrowing) {
  ChunkCache& cache = ChunkCache::ForThisThread();
  auto a = NewState();
  for (size_t i = 0; i < ChunkCache::kMaxEntries + 5; ++i) {
    std::string src = "return " + std::to_string(i);
    EXPECT_EQ(LoadAndCall(a->get(), src, "cache/many.lua"), std::to_string(i));
  }
  uint64_t hits = cache.hits();
  // The last few are still there; the first ones were dropped when the cache started over.
  EXPECT_EQ(LoadAndCall(a->get(), "return " + std::to_string(ChunkCache::kMaxEntries + 4),
                        "cache/many.lua"),
            std::to_string(ChunkCache::kMaxEntries + 4));
  EXPECT_EQ(cache.hits(), hits + 1);
  EXPECT_EQ(LoadAndCall(a->get(), "return 0", "cache/many.lua"), "0");
  EXPECT_EQ(cache.hits(), hits + 1);
}

}  // namespace
}  // namespace asobi::script

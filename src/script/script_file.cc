#include "script/script_file.h"

#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <lua.hpp>

#include "script/chunk_cache.h"

namespace asobi::script {
namespace {

// The text of 1-based line `line` of `source`.
std::string_view LineOf(std::string_view source, long line) {
  size_t start = 0;
  for (long i = 1; i < line; ++i) {
    size_t nl = source.find('\n', start);
    if (nl == std::string_view::npos) return {};
    start = nl + 1;
  }
  size_t end = source.find('\n', start);
  return source.substr(start, end == std::string_view::npos ? source.size() - start : end - start);
}

// The line number in "<chunk>:<line>: msg", or 0.
long ErrorLine(std::string_view msg, std::string_view chunk_name) {
  if (msg.substr(0, chunk_name.size()) != chunk_name) return 0;
  msg.remove_prefix(chunk_name.size());
  if (msg.empty() || msg[0] != ':') return 0;
  return std::strtol(std::string(msg.substr(1, 12)).c_str(), nullptr, 10);
}

// Code part of a line: stops at a `--` comment (strings are not parsed; a hint is only a hint).
std::string_view CodePart(std::string_view line) {
  size_t c = line.find("--");
  return c == std::string_view::npos ? line : line.substr(0, c);
}

bool HasBitwiseOperator(std::string_view code) {
  if (code.find("<<") != std::string_view::npos || code.find(">>") != std::string_view::npos) {
    return true;
  }
  for (size_t i = 0; i < code.size(); ++i) {
    char c = code[i];
    if (c == '&' || c == '|') return true;
    if (c == '~' && (i + 1 >= code.size() || code[i + 1] != '=')) return true;
  }
  return false;
}

std::string Hint(std::string_view source, std::string_view msg, std::string_view chunk_name) {
  long line = ErrorLine(msg, chunk_name);
  if (line <= 0) return {};
  std::string_view code = CodePart(LineOf(source, line));
  if (code.find("//") != std::string_view::npos) {
    return " (`//` is not supported; use math.floor(a / b))";
  }
  if (HasBitwiseOperator(code)) {
    return " (bitwise operators are not supported; use bit.band/bor/bxor/lshift/rshift/bnot)";
  }
  return {};
}

}  // namespace

Result<std::string> ReadScriptFile(const std::string& path, size_t max_bytes) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return MakeError("file_error", path + ": cannot open");
  std::string out;
  char buf[16384];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0) {
      close(fd);
      return MakeError("file_error", path + ": read failed");
    }
    if (n == 0) break;
    out.append(buf, size_t(n));
    if (out.size() > max_bytes) {
      close(fd);
      return MakeError("file_error",
                       path + ": larger than " + std::to_string(max_bytes) + " bytes");
    }
  }
  close(fd);
  return out;
}

Status CheckRelativeScriptPath(std::string_view rel) {
  if (rel.empty()) return MakeError("bad_path", "empty path");
  if (rel[0] == '/') return MakeError("bad_path", "absolute path");
  for (unsigned char c : rel) {
    if (c < 0x20 || c == 0x7F) return MakeError("bad_path", "control character in path");
  }
  size_t start = 0;
  while (start <= rel.size()) {
    size_t slash = rel.find('/', start);
    std::string_view seg =
        rel.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (seg.empty() || seg == "." || seg == "..") {
      return MakeError("bad_path", "empty, '.' or '..' path segment");
    }
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return Ok{};
}

Result<std::string> ResolveInside(const std::string& base_dir, std::string_view rel) {
  Status st = CheckRelativeScriptPath(rel);
  if (!st.ok()) return st.error();
  char base_real[PATH_MAX];
  if (realpath(base_dir.c_str(), base_real) == nullptr) {
    return MakeError("file_error", base_dir + ": no such directory");
  }
  std::string joined = std::string(base_real) + "/" + std::string(rel);
  char real[PATH_MAX];
  if (realpath(joined.c_str(), real) == nullptr) {
    return MakeError("file_error", std::string(rel) + ": no such file");
  }
  std::string prefix = std::string(base_real) + "/";
  if (std::string_view(real).substr(0, prefix.size()) != prefix) {
    return MakeError("bad_path", std::string(rel) + ": resolves outside the game directory");
  }
  return std::string(real);
}

Status LoadChunk(lua_State* L, std::string_view source, const std::string& chunk_name) {
  if (!source.empty() && source[0] == '\x1b') {
    return MakeError("syntax_error", chunk_name + ": precompiled chunks are not allowed");
  }
  std::string name = "@" + chunk_name;
  ChunkCache& cache = ChunkCache::ForThisThread();
  if (const std::string* bytecode = cache.Find(source, chunk_name)) {
    // Our own dump of this very source: same function, same line info, no parse.
    int rc = luaL_loadbuffer(L, bytecode->data(), bytecode->size(), name.c_str());
    if (rc == 0) return Ok{};
    lua_pop(L, 1);
    if (rc == LUA_ERRMEM) return MakeError("lua_error", "not enough memory");
  }
  int rc = luaL_loadbuffer(L, source.data(), source.size(), name.c_str());
  if (rc == 0) {
    // lua_dump keeps debug info (LuaJIT dumps unstripped) and runs protected internally.
    std::string bytecode;
    auto writer = [](lua_State*, const void* p, size_t n, void* ud) -> int {
      static_cast<std::string*>(ud)->append(static_cast<const char*>(p), n);
      return 0;
    };
    if (lua_dump(L, writer, &bytecode) == 0 && !bytecode.empty()) {
      cache.Store(source, chunk_name, std::move(bytecode));
    }
    return Ok{};
  }
  std::string msg = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "load failed";
  lua_pop(L, 1);
  if (rc == LUA_ERRMEM) return MakeError("lua_error", "not enough memory");
  return MakeError("syntax_error", msg + Hint(source, msg, chunk_name));
}

}  // namespace asobi::script

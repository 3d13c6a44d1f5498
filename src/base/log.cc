#include "base/log.h"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <ctime>

#include "base/clock.h"
#include "base/time_format.h"

namespace asobi {
namespace {

std::atomic<int> g_level{int(LogLevel::kInfo)};
thread_local int t_shard = -1;

const char* LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

bool NeedsQuotes(std::string_view v) {
  if (v.empty()) return true;
  for (unsigned char c : v) {
    if (c <= ' ' || c == '"' || c == '=' || c == 0x7f) return true;
  }
  return false;
}

void AppendValue(std::string& out, std::string_view v) {
  if (!NeedsQuotes(v)) {
    out.append(v);
    return;
  }
  out.push_back('"');
  for (unsigned char c : v) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(char(c));
    } else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out.append(buf);
    } else {
      out.push_back(char(c));
    }
  }
  out.push_back('"');
}

}  // namespace

void SetLogLevel(LogLevel level) { g_level.store(int(level), std::memory_order_relaxed); }

bool ParseLogLevel(std::string_view text, LogLevel* out) {
  if (text == "debug")
    *out = LogLevel::kDebug;
  else if (text == "info")
    *out = LogLevel::kInfo;
  else if (text == "warn" || text == "warning")
    *out = LogLevel::kWarn;
  else if (text == "error")
    *out = LogLevel::kError;
  else
    return false;
  return true;
}

bool LogEnabled(LogLevel level) { return int(level) >= g_level.load(std::memory_order_relaxed); }

int CurrentShardId() { return t_shard; }
void SetCurrentShardId(int shard) { t_shard = shard; }

LogLine::LogLine(LogLevel level, std::string_view msg) {
  line_.reserve(160);
  line_ = FormatRfc3339Ms(UnixMs());
  line_.append(" level=");
  line_.append(LevelName(level));
  if (t_shard >= 0) {
    line_.append(" shard=");
    line_.append(std::to_string(t_shard));
  }
  line_.append(" msg=");
  AppendValue(line_, msg);
}

LogLine::~LogLine() {
  line_.push_back('\n');
  ssize_t r = ::write(STDERR_FILENO, line_.data(), line_.size());
  (void)r;
}

LogLine& LogLine::KV(std::string_view key, std::string_view value) {
  line_.push_back(' ');
  line_.append(key);
  line_.push_back('=');
  AppendValue(line_, value);
  return *this;
}

LogLine& LogLine::KV(std::string_view key, int64_t value) {
  return KV(key, std::string_view(std::to_string(value)));
}

LogLine& LogLine::KV(std::string_view key, double value) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", value);
  return KV(key, std::string_view(buf));
}

LogLine& LogLine::KV(std::string_view key, bool value) {
  return KV(key, std::string_view(value ? "true" : "false"));
}

}  // namespace asobi

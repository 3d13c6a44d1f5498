// Structured one-line logs: `<RFC3339 ts> level=<l> shard=<n> msg="<text>" key=value ...`.
// Thread-safe. By default each line is written to stderr with one write(2) by the thread that
// logs. After StartAsyncLog() (the server does this at start-up) lines go to a bounded
// lock-free queue that one logger thread drains, so a shard thread never blocks on stderr:
//   - full queue: the line is dropped and counted (LogDroppedLines); the logger later writes
//     one `log lines dropped` line with the count. A producer never waits.
//   - shutdown: StopAsyncLog() writes everything queued, then lines are synchronous again.
//   - fatal errors (abort, CHECK failure, SIGSEGV/SIGBUS/SIGILL/SIGFPE): a signal handler
//     writes what is still queued, then hands the signal to the previous handler.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace asobi {

/// Severity of a line; lines below the SetLogLevel minimum are not built at all (LOG_* macros).
enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

/// Sets the minimum level printed (process-wide). Default kInfo.
void SetLogLevel(LogLevel level);
/// Parses "debug", "info", "warn"/"warning", "error"; false when unknown.
bool ParseLogLevel(std::string_view text, LogLevel* out);
/// Whether `level` is at or above the current minimum (relaxed read, any thread).
bool LogEnabled(LogLevel level);

/// Starts the asynchronous sink with room for `capacity_lines` queued lines (rounded up to a
/// power of two, at least 2) and installs the fatal-signal flush. Call once, from the main
/// thread, before other threads log. No-op when already started.
void StartAsyncLog(size_t capacity_lines);
/// Writes every queued line, stops the logger thread; later lines are written synchronously.
/// Idempotent; safe to register with atexit.
void StopAsyncLog();
/// Lines dropped because the queue was full, since start (any thread).
uint64_t LogDroppedLines();
/// Tests only: while paused the logger thread writes nothing (lines queue up, then drop).
void PauseAsyncLogForTest(bool paused);

/// Shard index of the calling thread, or -1 on threads that are not shards. Set by the reactor.
int CurrentShardId();
/// Sets the calling thread's shard index for its log lines (ShardSet::Start; -1 = not a shard).
void SetCurrentShardId(int shard);

/// One log line under construction; emitted by the destructor. Values are quoted when they
/// contain spaces, quotes or control characters.
class LogLine {
 public:
  /// Starts the line: timestamp (Unix ms, RFC 3339), level, the calling thread's shard, `msg`.
  LogLine(LogLevel level, std::string_view msg);
  ~LogLine();
  LogLine(const LogLine&) = delete;
  LogLine& operator=(const LogLine&) = delete;

  /// Appends ` key=value` (value quoted and escaped when needed). Integers print in decimal
  /// (uint64_t above INT64_MAX wraps negative), doubles as %.6g, bools as
  /// true/false.
  LogLine& KV(std::string_view key, std::string_view value);
  LogLine& KV(std::string_view key, const char* value) { return KV(key, std::string_view(value)); }
  LogLine& KV(std::string_view key, const std::string& value) {
    return KV(key, std::string_view(value));
  }
  LogLine& KV(std::string_view key, int64_t value);
  LogLine& KV(std::string_view key, int value) { return KV(key, int64_t(value)); }
  LogLine& KV(std::string_view key, unsigned value) { return KV(key, int64_t(value)); }
  LogLine& KV(std::string_view key, uint64_t value) { return KV(key, int64_t(value)); }
  LogLine& KV(std::string_view key, double value);
  LogLine& KV(std::string_view key, bool value);

 private:
  std::string line_;
};

}  // namespace asobi

// A for-statement (not if/else) so the macro nests safely under an unbraced `if`.
#define ASOBI_LOG(level, msg)                                                                 \
  for (bool asobi_log_on_ = ::asobi::LogEnabled(level); asobi_log_on_; asobi_log_on_ = false) \
  ::asobi::LogLine(level, msg)
#define LOG_DEBUG(msg) ASOBI_LOG(::asobi::LogLevel::kDebug, msg)
#define LOG_INFO(msg) ASOBI_LOG(::asobi::LogLevel::kInfo, msg)
#define LOG_WARN(msg) ASOBI_LOG(::asobi::LogLevel::kWarn, msg)
#define LOG_ERROR(msg) ASOBI_LOG(::asobi::LogLevel::kError, msg)

#include "base/log.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "base/time_format.h"

namespace asobi {
namespace {

std::atomic<int> g_level{int(LogLevel::kInfo)};
thread_local int t_shard = -1;

// Writes all of [data, data + n) to stderr (retrying partial writes and EINTR). Async-signal-
// safe.
void WriteAll(const char* data, size_t n) {
  while (n > 0) {
    ssize_t w = ::write(STDERR_FILENO, data, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return;
    data += w;
    n -= size_t(w);
  }
}

// The asynchronous sink: a bounded multi-producer queue (Vyukov's bounded MPMC ring: one
// sequence number per cell, producers and consumers claim positions with a CAS), drained by
// one logger thread. Consumers are the logger thread and, on a fatal signal, the handler.
class AsyncSink {
 public:
  explicit AsyncSink(size_t capacity) {
    size_t n = 2;
    while (n < capacity) n <<= 1;
    mask_ = n - 1;
    cells_ = std::make_unique<Cell[]>(n);
    for (size_t i = 0; i < n; ++i) cells_[i].seq.store(i, std::memory_order_relaxed);
    thread_ = std::thread([this] { Loop(); });
  }

  // Moves `line` in; false (line untouched) when full. Never blocks.
  bool Push(std::string& line) {
    size_t pos = 0;
    Cell* c = Claim(enqueue_, 0, &pos);
    if (c == nullptr) return false;
    c->line = std::move(line);
    c->seq.store(pos + 1, std::memory_order_release);
    // Dekker pair with Loop(): either the logger sees this line, or we see it asleep.
    std::atomic_thread_fence(std::memory_order_seq_cst);
    if (sleeping_.load(std::memory_order_relaxed)) {
      wake_.fetch_add(1, std::memory_order_relaxed);
      wake_.notify_one();
    }
    return true;
  }

  // Writes every queued line and stops the thread.
  void Stop() {
    stop_.store(true);
    wake_.fetch_add(1);
    wake_.notify_one();
    if (thread_.joinable()) thread_.join();
    std::string batch;
    DrainInto(&batch, SIZE_MAX);  // a producer may have pushed while we stopped
    WriteAll(batch.data(), batch.size());
  }

  // Fatal path (signal handler): writes queued lines straight from their cells.
  void DrainFromSignal() {
    for (;;) {
      size_t pos = dequeue_.load(std::memory_order_relaxed);
      Cell* c = &cells_[pos & mask_];
      if (c->seq.load(std::memory_order_acquire) != pos + 1) return;
      if (!dequeue_.compare_exchange_strong(pos, pos + 1, std::memory_order_relaxed)) continue;
      WriteAll(c->line.data(), c->line.size());
      c->seq.store(pos + mask_ + 1, std::memory_order_release);
    }
  }

  void Pause(bool paused) {
    paused_.store(paused);
    wake_.fetch_add(1);
    wake_.notify_one();
  }

 private:
  struct Cell {
    std::atomic<size_t> seq{0};
    std::string line;
  };

  // Claims the next position of `counter` (enqueue: `lag` 0; dequeue: 1) into *claimed.
  // Null when full (enqueue) or empty (dequeue).
  Cell* Claim(std::atomic<size_t>& counter, size_t lag, size_t* claimed) {
    size_t pos = counter.load(std::memory_order_relaxed);
    for (;;) {
      Cell* c = &cells_[pos & mask_];
      size_t seq = c->seq.load(std::memory_order_acquire);
      intptr_t diff = intptr_t(seq) - intptr_t(pos + lag);
      if (diff == 0) {
        if (counter.compare_exchange_weak(pos, pos + 1, std::memory_order_relaxed)) {
          *claimed = pos;
          return c;
        }
      } else if (diff < 0) {
        return nullptr;
      } else {
        pos = counter.load(std::memory_order_relaxed);
      }
    }
  }

  // Appends up to `max_lines` queued lines to `out`; returns how many.
  size_t DrainInto(std::string* out, size_t max_lines) {
    size_t n = 0;
    while (n < max_lines) {
      size_t pos = 0;
      Cell* c = Claim(dequeue_, 1, &pos);
      if (c == nullptr) break;
      std::string line = std::move(c->line);  // frees the line's buffer here, not later
      c->seq.store(pos + mask_ + 1, std::memory_order_release);
      out->append(line);
      ++n;
    }
    return n;
  }

  void ReportDrops() {
    uint64_t dropped = g_dropped_total.load(std::memory_order_relaxed);
    if (dropped == reported_) return;
    std::string line = FormatRfc3339Ms(UnixMs());
    line += " level=warn msg=\"log lines dropped\" count=" + std::to_string(dropped - reported_) +
            " total=" + std::to_string(dropped) + "\n";
    reported_ = dropped;
    WriteAll(line.data(), line.size());
  }

  void Loop() {
    std::string batch;
    for (;;) {
      batch.clear();
      if (!paused_.load() && DrainInto(&batch, 512) > 0) {
        WriteAll(batch.data(), batch.size());
        continue;
      }
      if (!paused_.load()) ReportDrops();
      if (stop_.load()) return;  // Stop() drains what is left
      uint32_t seen = wake_.load();
      sleeping_.store(true, std::memory_order_relaxed);
      std::atomic_thread_fence(std::memory_order_seq_cst);
      bool empty = cells_[dequeue_.load(std::memory_order_relaxed) & mask_].seq.load(
                       std::memory_order_acquire) != dequeue_.load(std::memory_order_relaxed) + 1;
      if ((empty || paused_.load()) && !stop_.load()) wake_.wait(seen);
      sleeping_.store(false, std::memory_order_relaxed);
    }
  }

 public:
  static std::atomic<uint64_t> g_dropped_total;

 private:
  size_t mask_ = 0;
  std::unique_ptr<Cell[]> cells_;
  alignas(64) std::atomic<size_t> enqueue_{0};
  alignas(64) std::atomic<size_t> dequeue_{0};
  alignas(64) std::atomic<uint32_t> wake_{0};
  std::atomic<bool> sleeping_{false};
  std::atomic<bool> stop_{false};
  std::atomic<bool> paused_{false};
  uint64_t reported_ = 0;  // logger thread only
  std::thread thread_;
};

std::atomic<uint64_t> AsyncSink::g_dropped_total{0};

std::mutex g_sink_mu;                     // start/stop only
std::atomic<AsyncSink*> g_sink{nullptr};  // never freed: a producer may still hold it
std::vector<AsyncSink*>* g_stopped_sinks = new std::vector<AsyncSink*>();  // kept reachable
AsyncSink* g_fatal_sink = nullptr;                                         // for the signal handler

constexpr int kFatalSignals[] = {SIGABRT, SIGSEGV, SIGBUS, SIGILL, SIGFPE};
struct sigaction g_previous[sizeof kFatalSignals / sizeof kFatalSignals[0]];

// Writes what is queued, restores the previous handler and returns: abort() and faulting
// instructions then raise the signal again into it (ASan's handler, or the default action).
void OnFatalSignal(int sig) {
  if (AsyncSink* s = g_fatal_sink) s->DrainFromSignal();
  for (size_t i = 0; i < sizeof kFatalSignals / sizeof kFatalSignals[0]; ++i) {
    if (kFatalSignals[i] == sig) sigaction(sig, &g_previous[i], nullptr);
  }
  if (sig == SIGABRT) raise(sig);
}

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
  if (AsyncSink* sink = g_sink.load(std::memory_order_acquire)) {
    if (!sink->Push(line_)) AsyncSink::g_dropped_total.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  WriteAll(line_.data(), line_.size());
}

void StartAsyncLog(size_t capacity_lines) {
  std::lock_guard<std::mutex> lock(g_sink_mu);
  if (g_sink.load() != nullptr) return;
  auto* sink = new AsyncSink(capacity_lines);
  g_fatal_sink = sink;
  for (size_t i = 0; i < sizeof kFatalSignals / sizeof kFatalSignals[0]; ++i) {
    struct sigaction sa {};
    sa.sa_handler = OnFatalSignal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_NODEFER;
    sigaction(kFatalSignals[i], &sa, &g_previous[i]);
  }
  g_sink.store(sink, std::memory_order_release);
}

void StopAsyncLog() {
  std::lock_guard<std::mutex> lock(g_sink_mu);
  AsyncSink* sink = g_sink.exchange(nullptr);
  if (sink == nullptr) return;
  sink->Stop();  // the object stays allocated: a producer may still hold the pointer
  g_stopped_sinks->push_back(sink);
}

uint64_t LogDroppedLines() { return AsyncSink::g_dropped_total.load(std::memory_order_relaxed); }

void PauseAsyncLogForTest(bool paused) {
  if (AsyncSink* sink = g_sink.load()) sink->Pause(paused);
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

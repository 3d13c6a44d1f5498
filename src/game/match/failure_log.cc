#include "game/match/failure_log.h"

#include <map>
#include <utility>

#include "base/log.h"
#include "base/utf8.h"

namespace asobi::match {
namespace {

constexpr int kLinesPerWindow = 3;
constexpr int64_t kWindowMs = 10000;

struct Window {
  int64_t start_ms = 0;
  int lines = 0;
  int64_t suppressed = 0;
};

thread_local std::map<std::pair<std::string, std::string>, Window> t_windows;

}  // namespace

std::string CleanDetail(std::string_view detail, size_t max_bytes) {
  std::string out;
  for (unsigned char c : detail) {
    if (c < 0x20 || c == 0x7F) continue;
    out.push_back(char(c));
  }
  out.resize(Utf8Prefix(out, max_bytes).size());
  return out;
}

void LogCallbackFailure(std::string_view script, std::string_view callback,
                        std::string_view reason_class, std::string_view detail, int64_t now_ms) {
  Window& w = t_windows[{std::string(script), std::string(callback)}];
  if (now_ms - w.start_ms >= kWindowMs) {
    w.start_ms = now_ms;
    w.lines = 0;
  }
  if (w.lines >= kLinesPerWindow) {
    ++w.suppressed;
    return;
  }
  ++w.lines;
  LOG_WARN("lua callback failed")
      .KV("callback", callback)
      .KV("script", script)
      .KV("reason_class", reason_class)
      .KV("detail", CleanDetail(detail))
      .KV("suppressed_since_last", w.suppressed);
  w.suppressed = 0;
}

}  // namespace asobi::match

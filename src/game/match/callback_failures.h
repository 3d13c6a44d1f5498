// CallbackFailures: Lua callback failures of matches counted by callback and kind (an error
// raised by the script, or a timeout of its budget), for /metrics as
// asobi_lua_callback_failures_total{callback,kind} (issue 15 item 3). Node-wide; any thread
// (relaxed atomics).
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

namespace asobi::match {

class CallbackFailures {
 public:
  /// The callbacks counted one by one (lua.md §4-§6); any other name counts as "other".
  static constexpr const char* kCallbacks[] = {"join",
                                               "leave",
                                               "handle_input",
                                               "tick",
                                               "get_state",
                                               "phases",
                                               "on_phase_started",
                                               "on_phase_ended",
                                               "vote_requested",
                                               "vote_resolved",
                                               "other"};
  static constexpr size_t kCount = sizeof kCallbacks / sizeof kCallbacks[0];

  /// Counts one failure of `callback`; `timeout` when its budget ran out, else an error.
  void Record(std::string_view callback, bool timeout);
  /// Appends the counter family in Prometheus text (every callback and kind, zeros included).
  void Write(std::string* out) const;

 private:
  std::atomic<uint64_t> errors_[kCount] = {};
  std::atomic<uint64_t> timeouts_[kCount] = {};
};

}  // namespace asobi::match

// CallbackFailures: Lua callbacks that raised an error or ran out of their budget, counted by
// script kind (match, world, rpc, ops), callback and kind, for /metrics as
// asobi_lua_callback_failures_total{script,callback,kind} (issue 15 item 3). Node-wide, one
// instance per process (NodeCallbackFailures); any thread (relaxed atomics).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace asobi::script {

/// Which kind of Lua state ran the callback.
enum class ScriptKind {
  kMatch,  // a match state (lua.md §4-§6)
  kWorld,  // a world or zone state (lua.md §8)
  kRpc,    // the RPC script's handlers (rest.md §3.12)
  kOps,    // the ops script's extension actions (rest.md §3.14)
};

class CallbackFailures {
 public:
  /// The callbacks counted one by one per kind (a name not in its kind's list counts as
  /// "other"; RPC handlers and ops actions count as "handler" / "action", whatever the method).
  static constexpr const char* kMatchCallbacks[] = {"join",
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
  static constexpr const char* kWorldCallbacks[] = {"init",
                                                    "join",
                                                    "leave",
                                                    "spawn_position",
                                                    "zone_tick",
                                                    "handle_input",
                                                    "post_tick",
                                                    "handle_effects",
                                                    "generate_world",
                                                    "on_world_recovered",
                                                    "on_zone_loaded",
                                                    "on_zone_unloaded",
                                                    "spawn_templates",
                                                    "terrain_provider",
                                                    "phases",
                                                    "on_phase_started",
                                                    "on_phase_ended",
                                                    "vote_requested",
                                                    "vote_resolved",
                                                    "other"};
  static constexpr const char* kRpcCallbacks[] = {"handler"};
  static constexpr const char* kOpsCallbacks[] = {"action"};
  static constexpr size_t kMatchCount = std::size(kMatchCallbacks);
  static constexpr size_t kWorldCount = std::size(kWorldCallbacks);
  static constexpr size_t kSlots = kMatchCount + kWorldCount + 2;

  /// Counts one failure of `callback` in a state of `script`; `timeout` when its budget ran
  /// out, else an error (a raised error or a memory cap).
  void Record(ScriptKind script, std::string_view callback, bool timeout);
  /// Appends the counter family in Prometheus text (every series, zeros included).
  void Write(std::string* out) const;
  /// The count of one series (tests); -1 for an unknown callback name of that kind.
  int64_t Count(ScriptKind script, std::string_view callback, bool timeout) const;

 private:
  std::atomic<uint64_t> errors_[kSlots] = {};
  std::atomic<uint64_t> timeouts_[kSlots] = {};
};

/// The node's counters (one per process).
CallbackFailures& NodeCallbackFailures();

}  // namespace asobi::script

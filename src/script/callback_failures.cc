#include "script/callback_failures.h"

#include <iterator>

namespace asobi::script {
namespace {

struct Kind {
  const char* label;
  const char* const* names;
  size_t count;
  size_t first_slot;
};

constexpr Kind kKinds[] = {
    {"match", CallbackFailures::kMatchCallbacks, CallbackFailures::kMatchCount, 0},
    {"world", CallbackFailures::kWorldCallbacks, CallbackFailures::kWorldCount,
     CallbackFailures::kMatchCount},
    {"rpc", CallbackFailures::kRpcCallbacks, 1,
     CallbackFailures::kMatchCount + CallbackFailures::kWorldCount},
    {"ops", CallbackFailures::kOpsCallbacks, 1,
     CallbackFailures::kMatchCount + CallbackFailures::kWorldCount + 1},
};

const Kind& KindOf(ScriptKind s) { return kKinds[static_cast<size_t>(s)]; }

// The slot of `callback` in `k`: its own, or the kind's last ("other", or the only one).
size_t SlotOf(const Kind& k, std::string_view callback) {
  size_t i = 0;
  while (i + 1 < k.count && callback != k.names[i]) ++i;
  return k.first_slot + i;
}

}  // namespace

void CallbackFailures::Record(ScriptKind script, std::string_view callback, bool timeout) {
  (timeout ? timeouts_ : errors_)[SlotOf(KindOf(script), callback)].fetch_add(
      1, std::memory_order_relaxed);
}

int64_t CallbackFailures::Count(ScriptKind script, std::string_view callback, bool timeout) const {
  const Kind& k = KindOf(script);
  size_t slot = SlotOf(k, callback);
  if (k.names[slot - k.first_slot] != callback) return -1;
  return int64_t((timeout ? timeouts_ : errors_)[slot].load(std::memory_order_relaxed));
}

void CallbackFailures::Write(std::string* out) const {
  *out +=
      "# HELP asobi_lua_callback_failures_total Lua callbacks that raised an error or ran out "
      "of their budget, by script (match, world, rpc, ops), callback and kind.\n"
      "# TYPE asobi_lua_callback_failures_total counter\n";
  for (const Kind& k : kKinds) {
    for (size_t i = 0; i < k.count; ++i) {
      for (bool timeout : {false, true}) {
        const auto& counter = (timeout ? timeouts_ : errors_)[k.first_slot + i];
        *out += std::string("asobi_lua_callback_failures_total{script=\"") + k.label +
                "\",callback=\"" + k.names[i] + "\",kind=\"" + (timeout ? "timeout" : "error") +
                "\"} " + std::to_string(counter.load(std::memory_order_relaxed)) + "\n";
      }
    }
  }
}

CallbackFailures& NodeCallbackFailures() {
  static CallbackFailures failures;
  return failures;
}

}  // namespace asobi::script

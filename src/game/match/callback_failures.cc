#include "game/match/callback_failures.h"

namespace asobi::match {

void CallbackFailures::Record(std::string_view callback, bool timeout) {
  size_t i = 0;
  while (i + 1 < kCount && callback != kCallbacks[i]) ++i;
  (timeout ? timeouts_ : errors_)[i].fetch_add(1, std::memory_order_relaxed);
}

void CallbackFailures::Write(std::string* out) const {
  *out +=
      "# HELP asobi_lua_callback_failures_total Match Lua callbacks that raised an error or ran "
      "out of their budget.\n# TYPE asobi_lua_callback_failures_total counter\n";
  for (size_t i = 0; i < kCount; ++i) {
    for (bool timeout : {false, true}) {
      const auto& counter = timeout ? timeouts_[i] : errors_[i];
      *out += std::string("asobi_lua_callback_failures_total{callback=\"") + kCallbacks[i] +
              "\",kind=\"" + (timeout ? "timeout" : "error") + "\"} " +
              std::to_string(counter.load(std::memory_order_relaxed)) + "\n";
    }
  }
}

}  // namespace asobi::match

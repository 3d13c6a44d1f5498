#include "game/schema_gate.h"

#include <utility>
#include <vector>

namespace asobi {
namespace {

struct Gate {
  bool pending = false;
  std::vector<std::function<void()>> waiters;
};

thread_local Gate t_gate;

}  // namespace

void WhenSchemaReady(std::function<void()> fn) {
  if (!t_gate.pending) return fn();
  t_gate.waiters.push_back(std::move(fn));
}

void MarkSchemaPending() { t_gate.pending = true; }

void MarkSchemaReady() {
  t_gate.pending = false;
  std::vector<std::function<void()>> waiters = std::move(t_gate.waiters);
  t_gate.waiters.clear();
  for (auto& w : waiters) w();
}

void ForgetSchemaWaiters() { t_gate.waiters.clear(); }

}  // namespace asobi

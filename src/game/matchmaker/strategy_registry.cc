// The table of known strategies (lua.md §2 `strategy`). A new strategy adds one line here.
#include <string>

#include "game/matchmaker/match_strategy.h"

namespace asobi::matchmaker {
namespace {

struct Registry {
  std::unique_ptr<MatchStrategy> fill = MakeFillStrategy();
  std::vector<std::unique_ptr<MatchStrategy>> all;
  Registry() {
    all.push_back(MakeSkillBasedStrategy());
    // New strategies: all.push_back(MakeMyStrategy());
  }
};

const Registry& TheRegistry() {
  static const Registry* r = new Registry();  // never destroyed: used from shard threads
  return *r;
}

}  // namespace

const MatchStrategy& StrategyFor(std::string_view name) {
  const Registry& r = TheRegistry();
  for (const auto& s : r.all) {
    if (s->name() == name) return *s;
  }
  return *r.fill;
}

}  // namespace asobi::matchmaker

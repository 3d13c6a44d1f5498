// `fill` strategy: oldest tickets first, in groups of group_size.
#include "game/matchmaker/match_strategy.h"

namespace asobi::matchmaker {
namespace {

class FillStrategy final : public MatchStrategy {
 public:
  std::string_view name() const override { return "fill"; }

  void FormGroups(std::span<const Ticket* const> waiting, size_t group_size, int64_t,
                  std::vector<std::vector<size_t>>* groups) const override {
    size_t full = waiting.size() / group_size;
    for (size_t g = 0; g < full; ++g) {
      std::vector<size_t> group(group_size);
      for (size_t i = 0; i < group_size; ++i) group[i] = g * group_size + i;
      groups->push_back(std::move(group));
    }
  }
};

}  // namespace

std::unique_ptr<MatchStrategy> MakeFillStrategy() { return std::make_unique<FillStrategy>(); }

}  // namespace asobi::matchmaker

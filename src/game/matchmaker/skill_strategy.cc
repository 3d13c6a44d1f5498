// `skill_based` strategy: neighbours in skill order, with a window that widens with wait time.
#include <algorithm>
#include <numeric>

#include "game/matchmaker/match_strategy.h"

namespace asobi::matchmaker {

double SkillWindow::At(int64_t waited_ms) const {
  double w = base + per_second * double(std::max<int64_t>(0, waited_ms)) / 1000.0;
  return std::min(w, max);
}

namespace {

class SkillBasedStrategy final : public MatchStrategy {
 public:
  explicit SkillBasedStrategy(SkillWindow window) : window_(window) {}

  std::string_view name() const override { return "skill_based"; }

  // Sort by skill (ties: older first), then slide over the sorted list: a run of group_size
  // neighbours forms a group when its spread fits the widest window among its members;
  // otherwise the run starts one ticket later. O(n log n) per pass.
  void FormGroups(std::span<const Ticket* const> waiting, size_t group_size, int64_t now_mono_ms,
                  std::vector<std::vector<size_t>>* groups) const override {
    if (waiting.size() < group_size) return;
    std::vector<size_t> order(waiting.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return waiting[a]->skill < waiting[b]->skill; });
    size_t i = 0;
    while (i + group_size <= order.size()) {
      double spread = waiting[order[i + group_size - 1]]->skill - waiting[order[i]]->skill;
      double allowed = 0;
      for (size_t k = i; k < i + group_size; ++k) {
        allowed = std::max(allowed, window_.At(waiting[order[k]]->WaitedMs(now_mono_ms)));
      }
      if (spread <= allowed) {
        groups->emplace_back(order.begin() + long(i), order.begin() + long(i + group_size));
        i += group_size;
      } else {
        ++i;
      }
    }
  }

 private:
  SkillWindow window_;
};

}  // namespace

std::unique_ptr<MatchStrategy> MakeSkillBasedStrategy(SkillWindow window) {
  return std::make_unique<SkillBasedStrategy>(window);
}

}  // namespace asobi::matchmaker

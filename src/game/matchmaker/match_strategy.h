// MatchStrategy: how one mode's waiting tickets are grouped into matches (lua.md §2
// `strategy`, websocket.md §6). A strategy is pure: it only picks groups; the ModeQueue removes
// them and the Matchmaker places them. Adding a strategy = one new .cc file with a class
// implementing this interface, plus one line in strategy_registry.cc's table.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "game/matchmaker/ticket.h"

namespace asobi::matchmaker {

/// Stateless, immutable after construction; one instance may be shared by every queue of
/// every shard (FormGroups is const and thread-safe).
class MatchStrategy {
 public:
  virtual ~MatchStrategy() = default;

  /// The `strategy` global value this implements ("fill", "skill_based").
  virtual std::string_view name() const = 0;

  /// Picks groups of exactly `group_size` tickets from `waiting` (the mode's pending tickets,
  /// oldest first; never null) at monotonic time `now_mono_ms`. Appends each group to
  /// `*groups` as indices into `waiting`; an index appears in at most one group. Tickets not
  /// grouped stay queued for the next pass. `group_size` >= 1.
  virtual void FormGroups(std::span<const Ticket* const> waiting, size_t group_size,
                          int64_t now_mono_ms, std::vector<std::vector<size_t>>* groups) const = 0;
};

/// `fill`: first come, first served; groups the oldest tickets together.
std::unique_ptr<MatchStrategy> MakeFillStrategy();

/// `skill_based` tuning (ours; the spec only names the strategy). A ticket that waited `w`
/// seconds accepts a skill spread of `base + per_second * w`, at most `max`.
struct SkillWindow {
  double base = 100;
  double per_second = 50;
  double max = 1000;
  /// The window a ticket that waited `waited_ms` accepts.
  double At(int64_t waited_ms) const;
};

/// `skill_based`: sorts by `properties.skill` and groups neighbours whose spread (highest minus
/// lowest skill in the group) fits the widest window among the group's members, so the window
/// widens as tickets wait (see SkillWindow).
std::unique_ptr<MatchStrategy> MakeSkillBasedStrategy(SkillWindow window = {});

/// The shared strategy for a mode's `strategy` global. Unknown names act as `fill` (lua.md §2:
/// "anything else silently acts as fill"). Returns a process-wide instance; any thread.
const MatchStrategy& StrategyFor(std::string_view name);

}  // namespace asobi::matchmaker

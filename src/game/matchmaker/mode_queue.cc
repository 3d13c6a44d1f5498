#include "game/matchmaker/mode_queue.h"

#include <utility>

#include "base/check.h"

namespace asobi::matchmaker {

ModeQueue::ModeQueue(std::string mode, size_t group_size, const MatchStrategy& strategy)
    : mode_(std::move(mode)), group_size_(group_size), strategy_(strategy) {
  CHECK(group_size_ >= 1);
}

Ticket* ModeQueue::Find(std::string_view ticket_id) {
  auto it = by_id_.find(ticket_id);
  return it == by_id_.end() ? nullptr : &*it->second;
}

Ticket* ModeQueue::FindByPlayer(std::string_view player_id) {
  auto it = by_player_.find(player_id);
  return it == by_player_.end() ? nullptr : &*it->second;
}

Ticket& ModeQueue::Add(Ticket ticket) {
  CHECK(by_player_.find(ticket.player_id) == by_player_.end());
  tickets_.push_back(std::move(ticket));
  auto it = std::prev(tickets_.end());
  by_id_.emplace(it->id, it);
  by_player_.emplace(it->player_id, it);
  if (!it->bot) ++humans_;
  return *it;
}

Ticket ModeQueue::Erase(List::iterator it) {
  by_id_.erase(it->id);
  by_player_.erase(it->player_id);
  if (!it->bot) --humans_;
  Ticket t = std::move(*it);
  tickets_.erase(it);
  return t;
}

std::optional<Ticket> ModeQueue::Remove(std::string_view ticket_id) {
  auto it = by_id_.find(ticket_id);
  if (it == by_id_.end()) return std::nullopt;
  return Erase(it->second);
}

std::vector<Ticket> ModeQueue::TakeExpired(int64_t now_mono_ms, int64_t max_wait_ms) {
  std::vector<Ticket> out;
  // Oldest first, but bots may be added later with older ids: scan everything.
  for (auto it = tickets_.begin(); it != tickets_.end();) {
    auto next = std::next(it);
    if (it->WaitedMs(now_mono_ms) > max_wait_ms) out.push_back(Erase(it));
    it = next;
  }
  return out;
}

std::vector<Ticket> ModeQueue::TakeBots() {
  std::vector<Ticket> out;
  for (auto it = tickets_.begin(); it != tickets_.end();) {
    auto next = std::next(it);
    if (it->bot) out.push_back(Erase(it));
    it = next;
  }
  return out;
}

std::vector<std::vector<Ticket>> ModeQueue::TakeGroups(int64_t now_mono_ms) {
  std::vector<std::vector<Ticket>> out;
  if (humans_ == 0) {
    TakeBots();
    return out;
  }
  if (tickets_.size() < group_size_) return out;
  std::vector<const Ticket*> waiting;
  std::vector<List::iterator> iters;
  waiting.reserve(tickets_.size());
  iters.reserve(tickets_.size());
  for (auto it = tickets_.begin(); it != tickets_.end(); ++it) {
    waiting.push_back(&*it);
    iters.push_back(it);
  }
  std::vector<std::vector<size_t>> groups;
  strategy_.FormGroups(waiting, group_size_, now_mono_ms, &groups);
  std::vector<bool> taken(waiting.size(), false);
  for (const auto& g : groups) {
    bool valid = g.size() == group_size_;
    bool any_human = false;
    for (size_t idx : g) {
      valid = valid && idx < waiting.size() && !taken[idx];
      if (valid) any_human = any_human || !waiting[idx]->bot;
    }
    if (!valid) continue;  // a strategy bug must not corrupt the queue
    for (size_t idx : g) taken[idx] = true;
    std::vector<Ticket> group;
    group.reserve(g.size());
    for (size_t idx : g) group.push_back(Erase(iters[idx]));
    if (any_human) out.push_back(std::move(group));
  }
  if (humans_ == 0) TakeBots();
  return out;
}

}  // namespace asobi::matchmaker

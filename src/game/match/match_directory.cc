#include "game/match/match_directory.h"

namespace asobi::match {
namespace {

bool Live(const MatchListing& l) { return l.status != MatchStatus::kFinished; }

}  // namespace

void MatchDirectory::Upsert(const MatchListing& l) {
  std::lock_guard<std::mutex> lock(mu_);
  entries_[l.match_id] = l;
}

void MatchDirectory::Remove(const std::string& match_id) {
  std::lock_guard<std::mutex> lock(mu_);
  entries_.erase(match_id);
}

std::vector<MatchListing> MatchDirectory::List(const ListFilter& f) const {
  std::vector<MatchListing> out;
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [id, l] : entries_) {
    if ((!l.listed && !f.include_unlisted) || !Live(l)) continue;
    if (f.mode && l.mode != *f.mode) continue;
    if (f.has_capacity && l.player_count >= l.max_players) continue;
    if (f.joinable && l.joinable != *f.joinable) continue;
    out.push_back(l);
  }
  return out;
}

std::optional<MatchListing> MatchDirectory::BestQuickPlay(
    const std::string& mode, const std::unordered_set<std::string>& exclude) const {
  std::optional<MatchListing> best;
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [id, l] : entries_) {
    if (l.mode != mode || !Live(l) || !l.joinable || l.player_count >= l.max_players) continue;
    if (exclude.count(id) != 0) continue;
    if (!best || l.player_count > best->player_count ||
        (l.player_count == best->player_count && l.match_id < best->match_id)) {
      best = l;
    }
  }
  return best;
}

size_t MatchDirectory::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return entries_.size();
}

}  // namespace asobi::match

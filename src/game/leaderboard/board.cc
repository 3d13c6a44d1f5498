#include "game/leaderboard/board.h"

#include <algorithm>

namespace asobi::leaderboard {
namespace {

int64_t Clamp(int64_t score) { return std::clamp(score, -kMaxScore, kMaxScore); }

}  // namespace

std::optional<SubmitOp> ParseSubmitOp(std::string_view s) {
  if (s == "best") return SubmitOp::kBest;
  if (s == "set") return SubmitOp::kSet;
  if (s == "incr") return SubmitOp::kIncr;
  return std::nullopt;
}

void Board::Load(std::string_view player_id, int64_t score, int64_t updated_at_ms) {
  score = Clamp(score);
  auto [it, inserted] = entries_.try_emplace(std::string(player_id), Entry{score, updated_at_ms});
  if (!inserted) {
    index_.Erase(it->second.score, player_id);
    it->second = Entry{score, updated_at_ms};
  }
  index_.Insert(score, player_id);
}

RankedEntry Board::Submit(std::string_view player_id, int64_t score, SubmitOp op, int64_t now_ms) {
  score = Clamp(score);
  std::string key(player_id);
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    entries_.emplace(key, Entry{score, now_ms});
    index_.Insert(score, player_id);
    dirty_.insert(std::move(key));
  } else {
    Entry& e = it->second;
    int64_t next = score;
    if (op == SubmitOp::kBest) next = std::max(e.score, score);
    if (op == SubmitOp::kIncr) next = Clamp(e.score + score);  // both within ±2^53: no overflow
    if (op != SubmitOp::kBest || next != e.score) {
      index_.Erase(e.score, player_id);
      e.score = next;
      e.updated_at_ms = now_ms;
      index_.Insert(next, player_id);
      dirty_.insert(std::move(key));
    }
  }
  return *Find(player_id);
}

RankedEntry Board::At(size_t pos) const {
  const OrderedIndex::Key& k = index_.At(pos);
  const Entry& e = entries_.at(k.player_id);
  return RankedEntry{k.player_id, k.score, int64_t(pos) + 1, e.updated_at_ms};
}

std::vector<RankedEntry> Board::Top(size_t count) const {
  std::vector<RankedEntry> out;
  size_t n = std::min(count, index_.size());
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) out.push_back(At(i));
  return out;
}

std::vector<RankedEntry> Board::Around(std::string_view player_id, size_t range) const {
  std::vector<RankedEntry> out;
  auto it = entries_.find(std::string(player_id));
  if (it == entries_.end()) return out;
  size_t pos = index_.CountBefore(it->second.score, player_id);
  size_t first = pos >= range ? pos - range : 0;
  size_t last = std::min(index_.size(), pos + range + 1);
  out.reserve(last - first);
  for (size_t i = first; i < last; ++i) out.push_back(At(i));
  return out;
}

std::optional<RankedEntry> Board::Find(std::string_view player_id) const {
  auto it = entries_.find(std::string(player_id));
  if (it == entries_.end()) return std::nullopt;
  size_t pos = index_.CountBefore(it->second.score, player_id);
  return RankedEntry{std::string(player_id), it->second.score, int64_t(pos) + 1,
                     it->second.updated_at_ms};
}

bool Board::Remove(std::string_view player_id) {
  auto it = entries_.find(std::string(player_id));
  if (it == entries_.end()) return false;
  index_.Erase(it->second.score, player_id);
  dirty_.erase(it->first);
  entries_.erase(it);
  return true;
}

std::vector<DirtyRow> Board::TakeDirty(size_t max_rows) {
  std::vector<DirtyRow> rows;
  for (auto it = dirty_.begin(); it != dirty_.end() && rows.size() < max_rows;) {
    auto e = entries_.find(*it);
    if (e != entries_.end()) rows.push_back({e->first, e->second.score, e->second.updated_at_ms});
    it = dirty_.erase(it);
  }
  return rows;
}

void Board::MarkDirty(const std::vector<DirtyRow>& rows) {
  for (const DirtyRow& r : rows) {
    if (entries_.count(r.player_id) != 0) dirty_.insert(r.player_id);
  }
}

}  // namespace asobi::leaderboard

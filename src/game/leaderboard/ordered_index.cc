#include "game/leaderboard/ordered_index.h"

#include <cassert>
#include <utility>

namespace asobi::leaderboard {

bool OrderedIndex::Before(int64_t a_score, std::string_view a_player, const Key& b) {
  if (a_score != b.score) return a_score > b.score;
  return a_player < std::string_view(b.player_id);
}

uint32_t OrderedIndex::NextPrio() {
  // xorshift64*: priorities only need to be well spread, not secret.
  rng_ ^= rng_ >> 12;
  rng_ ^= rng_ << 25;
  rng_ ^= rng_ >> 27;
  return uint32_t((rng_ * 0x2545F4914F6CDD1DULL) >> 32);
}

void OrderedIndex::Pull(int32_t n) {
  Node& node = nodes_[size_t(n)];
  node.size = 1 + Size(node.left) + Size(node.right);
}

void OrderedIndex::Split(int32_t t, int64_t score, std::string_view player, int32_t* l,
                         int32_t* r) {
  if (t < 0) {
    *l = *r = -1;
    return;
  }
  Node& node = nodes_[size_t(t)];
  bool node_before = node.key.score != score ? node.key.score > score
                                             : std::string_view(node.key.player_id) < player;
  if (node_before) {
    int32_t right = node.right;
    Split(right, score, player, &nodes_[size_t(t)].right, r);
    *l = t;
  } else {
    int32_t left = node.left;
    Split(left, score, player, l, &nodes_[size_t(t)].left);
    *r = t;
  }
  Pull(t);
}

int32_t OrderedIndex::Merge(int32_t l, int32_t r) {
  if (l < 0) return r;
  if (r < 0) return l;
  if (nodes_[size_t(l)].prio > nodes_[size_t(r)].prio) {
    int32_t m = Merge(nodes_[size_t(l)].right, r);
    nodes_[size_t(l)].right = m;
    Pull(l);
    return l;
  }
  int32_t m = Merge(l, nodes_[size_t(r)].left);
  nodes_[size_t(r)].left = m;
  Pull(r);
  return r;
}

void OrderedIndex::Insert(int64_t score, std::string_view player_id) {
  int32_t n;
  if (!free_.empty()) {
    n = free_.back();
    free_.pop_back();
  } else {
    n = int32_t(nodes_.size());
    nodes_.emplace_back();
  }
  Node& node = nodes_[size_t(n)];
  node.key.score = score;
  node.key.player_id.assign(player_id);
  node.prio = NextPrio();
  node.size = 1;
  node.left = node.right = -1;
  int32_t l, r;
  Split(root_, score, player_id, &l, &r);
  root_ = Merge(Merge(l, n), r);
}

int32_t OrderedIndex::EraseFrom(int32_t t, int64_t score, std::string_view player, bool* erased) {
  if (t < 0) return t;
  Node& node = nodes_[size_t(t)];
  if (node.key.score == score && std::string_view(node.key.player_id) == player) {
    *erased = true;
    int32_t merged = Merge(node.left, node.right);
    nodes_[size_t(t)].key.player_id.clear();
    free_.push_back(t);
    return merged;
  }
  if (Before(score, player, node.key)) {
    int32_t left = EraseFrom(node.left, score, player, erased);
    nodes_[size_t(t)].left = left;
  } else {
    int32_t right = EraseFrom(node.right, score, player, erased);
    nodes_[size_t(t)].right = right;
  }
  if (*erased) Pull(t);
  return t;
}

bool OrderedIndex::Erase(int64_t score, std::string_view player_id) {
  bool erased = false;
  root_ = EraseFrom(root_, score, player_id, &erased);
  return erased;
}

size_t OrderedIndex::CountBefore(int64_t score, std::string_view player_id) const {
  size_t count = 0;
  int32_t t = root_;
  while (t >= 0) {
    const Node& node = nodes_[size_t(t)];
    if (Before(score, player_id, node.key) ||
        (node.key.score == score && std::string_view(node.key.player_id) == player_id)) {
      t = node.left;
    } else {
      count += Size(node.left) + 1;
      t = node.right;
    }
  }
  return count;
}

const OrderedIndex::Key& OrderedIndex::At(size_t pos) const {
  assert(pos < size());
  int32_t t = root_;
  for (;;) {
    const Node& node = nodes_[size_t(t)];
    size_t left = Size(node.left);
    if (pos < left) {
      t = node.left;
    } else if (pos == left) {
      return node.key;
    } else {
      pos -= left + 1;
      t = node.right;
    }
  }
}

void OrderedIndex::Clear() {
  nodes_.clear();
  free_.clear();
  root_ = -1;
}

}  // namespace asobi::leaderboard

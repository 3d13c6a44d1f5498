// OrderedIndex: the ranking of one leaderboard (rest.md §3.7): (score, player id) keys ordered
// by score descending, then player id ascending (byte order, which for canonical lowercase
// UUIDs is PostgreSQL's uuid order), with O(log n) expected insert, erase, rank and select.
// A treap whose nodes carry their subtree size, kept in one vector (indices, a free list), so
// a million entries are one allocation plus the player id strings.
//
// Not thread-safe: owned by the board's owner shard.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace asobi::leaderboard {

/// Owned by one Board; shard-affine.
class OrderedIndex {
 public:
  /// One key as stored.
  struct Key {
    int64_t score = 0;
    std::string player_id;
  };

  /// `seed` drives the treap priorities (fixed default: deterministic shapes in tests).
  explicit OrderedIndex(uint64_t seed = 0x9e3779b97f4a7c15ULL) : rng_(seed | 1) {}

  /// Adds (score, player_id). The pair must not be present (callers keep one key per player).
  void Insert(int64_t score, std::string_view player_id);
  /// Removes (score, player_id); false when absent.
  bool Erase(int64_t score, std::string_view player_id);
  /// Number of keys ordered before (score, player_id): its 0-based position when present.
  size_t CountBefore(int64_t score, std::string_view player_id) const;
  /// The key at 0-based position `pos` (< size()).
  const Key& At(size_t pos) const;
  /// Keys held; Clear() drops them all (vector capacity kept).
  size_t size() const { return root_ < 0 ? 0 : nodes_[size_t(root_)].size; }
  void Clear();

 private:
  struct Node {
    Key key;
    uint32_t prio = 0;
    uint32_t size = 1;
    int32_t left = -1;
    int32_t right = -1;
  };
  static bool Before(int64_t a_score, std::string_view a_player, const Key& b);
  uint32_t Size(int32_t n) const { return n < 0 ? 0 : nodes_[size_t(n)].size; }
  void Pull(int32_t n);
  // Splits `t` into keys ordered before (score, player) and the rest.
  void Split(int32_t t, int64_t score, std::string_view player, int32_t* l, int32_t* r);
  int32_t Merge(int32_t l, int32_t r);
  int32_t EraseFrom(int32_t t, int64_t score, std::string_view player, bool* erased);
  uint32_t NextPrio();

  std::vector<Node> nodes_;
  std::vector<int32_t> free_;
  int32_t root_ = -1;
  uint64_t rng_;
};

}  // namespace asobi::leaderboard

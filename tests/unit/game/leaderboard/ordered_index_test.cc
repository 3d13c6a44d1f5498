// OrderedIndex (game/leaderboard/ordered_index.h) against a sorted std::vector model: random
// inserts, erases, ranks and selects keep the same order (score desc, player id asc).
#include "game/leaderboard/ordered_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

namespace asobi::leaderboard {
namespace {

using Model = std::vector<std::pair<int64_t, std::string>>;

bool ModelBefore(const std::pair<int64_t, std::string>& a,
                 const std::pair<int64_t, std::string>& b) {
  return a.first != b.first ? a.first > b.first : a.second < b.second;
}

void ExpectSame(const OrderedIndex& index, const Model& model) {
  ASSERT_EQ(index.size(), model.size());
  for (size_t i = 0; i < model.size(); ++i) {
    EXPECT_EQ(index.At(i).score, model[i].first) << i;
    EXPECT_EQ(index.At(i).player_id, model[i].second) << i;
    EXPECT_EQ(index.CountBefore(model[i].first, model[i].second), i);
  }
}

TEST(OrderedIndexTest, OrdersByScoreDescThenPlayerAsc) {
  OrderedIndex index;
  index.Insert(10, "b");
  index.Insert(30, "c");
  index.Insert(10, "a");
  index.Insert(20, "d");
  EXPECT_EQ(index.At(0).player_id, "c");
  EXPECT_EQ(index.At(1).player_id, "d");
  EXPECT_EQ(index.At(2).player_id, "a");
  EXPECT_EQ(index.At(3).player_id, "b");
  EXPECT_EQ(index.CountBefore(10, "b"), 3u);
  EXPECT_EQ(index.CountBefore(15, "zzz"), 2u);  // where an absent key would go
  EXPECT_FALSE(index.Erase(10, "zz"));
  EXPECT_TRUE(index.Erase(30, "c"));
  EXPECT_EQ(index.At(0).player_id, "d");
  EXPECT_EQ(index.size(), 3u);
}

TEST(OrderedIndexTest, RandomOperationsMatchASortedModel) {
  std::mt19937_64 rng(7);
  OrderedIndex index;
  Model model;
  for (int step = 0; step < 20000; ++step) {
    bool erase = !model.empty() && rng() % 3 == 0;
    if (erase) {
      size_t i = rng() % model.size();
      ASSERT_TRUE(index.Erase(model[i].first, model[i].second));
      model.erase(model.begin() + long(i));
    } else {
      int64_t score = int64_t(rng() % 200) - 100;
      std::string player("p");
      player.append(std::to_string(rng() % 100000));
      auto key = std::make_pair(score, player);
      if (std::find(model.begin(), model.end(), key) != model.end()) continue;
      index.Insert(score, player);
      model.insert(std::upper_bound(model.begin(), model.end(), key, ModelBefore), key);
    }
    if (step % 2000 == 0) ExpectSame(index, model);
  }
  ExpectSame(index, model);
}

}  // namespace
}  // namespace asobi::leaderboard

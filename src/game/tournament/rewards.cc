#include "game/tournament/rewards.h"

#include <algorithm>

#include "protocol/json_value.h"

namespace asobi::tournament {

Result<std::vector<RewardRange>> ParseRewards(std::string_view json) {
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(json.data(), json.size()).get(root) != simdjson::SUCCESS) {
    return MakeError("invalid_rewards");
  }
  std::vector<RewardRange> out;
  if (root.is_object() && root.get_object().size() == 0) return out;
  simdjson::dom::array items;
  if (root.get_array().get(items) != simdjson::SUCCESS) return MakeError("invalid_rewards");
  for (simdjson::dom::element item : items) {
    std::optional<int64_t> from = GetInt(item, "from");
    std::optional<int64_t> to = GetInt(item, "to");
    std::optional<std::string_view> currency = GetString(item, "currency");
    std::optional<int64_t> amount = GetInt(item, "amount");
    if (!from || !to || !currency || !amount || *from < 1 || *to < *from || *to > 1000000 ||
        currency->empty() || currency->size() > 255 || *amount < 1 || *amount > 2147483647) {
      return MakeError("invalid_rewards");
    }
    out.push_back({*from, *to, std::string(*currency), *amount});
  }
  return out;
}

Result<std::vector<EntryFee>> ParseEntryFee(std::string_view json) {
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (json.empty() || parser.parse(json.data(), json.size()).get(root) != simdjson::SUCCESS) {
    return MakeError("invalid_entry_fee");
  }
  std::vector<EntryFee> out;
  if (root.is_null() || (root.is_array() && root.get_array().size() == 0)) return out;
  simdjson::dom::object fees;
  if (root.get_object().get(fees) != simdjson::SUCCESS) return MakeError("invalid_entry_fee");
  for (auto [key, value] : fees) {
    int64_t amount = 0;
    if (key.empty() || key.size() > 255 || value.get_int64().get(amount) != simdjson::SUCCESS ||
        amount < 1 || amount > 2147483647 || out.size() == kMaxEntryFeeCurrencies) {
      return MakeError("invalid_entry_fee");
    }
    out.push_back({std::string(key), amount});
  }
  return out;
}

int64_t DeepestRank(const std::vector<RewardRange>& rewards) {
  int64_t deepest = 0;
  for (const RewardRange& r : rewards) deepest = std::max(deepest, r.to);
  return deepest;
}

std::map<std::string, int64_t> RewardsFor(const std::vector<RewardRange>& rewards, int64_t rank) {
  std::map<std::string, int64_t> out;
  for (const RewardRange& r : rewards) {
    if (rank >= r.from && rank <= r.to) {
      out[r.currency] = std::min<int64_t>(out[r.currency] + r.amount, 2147483647);
    }
  }
  return out;
}

}  // namespace asobi::tournament

// Tournament rewards (docs/decisions.md "Tournaments"): the `rewards` column is a JSON array of
// rank ranges, `[{"from": 1, "to": 1, "currency": "gold", "amount": 100}, ...]`; `{}` or `[]`
// means none. A player ranked r among the participants gets every range with from <= r <= to.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace asobi::tournament {

/// One rank range of a tournament's `rewards`: ranks `from`..`to` each get `amount` of
/// `currency`.
struct RewardRange {
  int64_t from = 1;  // ranks, 1-based, inclusive
  int64_t to = 1;
  std::string currency;
  int64_t amount = 0;  // 1 .. 2^31 - 1 (a wallet amount)
};

/// Parses the `rewards` column. Errors (reason "invalid_rewards"): not an array (other than
/// `{}`), an item that is not an object with integer from/to (1 <= from <= to <= 1000000),
/// a currency of 1-255 bytes and an integer amount 1 .. 2^31 - 1.
Result<std::vector<RewardRange>> ParseRewards(std::string_view json);

/// One currency of a tournament's `entry_fee` (docs/decisions.md "Tournament entry fees").
struct EntryFee {
  std::string currency;  // 1-255 bytes
  int64_t amount = 0;    // 1 .. 2^31 - 1
};

/// At most this many currencies in one `entry_fee`.
inline constexpr size_t kMaxEntryFeeCurrencies = 8;

/// Parses the `entry_fee` column: an object `{"<currency>": <amount>, ...}`; `{}`, `[]` or
/// `null` mean free entry. Errors (reason "invalid_entry_fee"): anything else, a currency of 0
/// or over 255 bytes, an amount that is not an integer 1 .. 2^31 - 1, more than
/// kMaxEntryFeeCurrencies currencies.
Result<std::vector<EntryFee>> ParseEntryFee(std::string_view json);

/// The deepest rank any range rewards (0 for none).
int64_t DeepestRank(const std::vector<RewardRange>& rewards);

/// What rank `rank` earns, summed per currency.
std::map<std::string, int64_t> RewardsFor(const std::vector<RewardRange>& rewards, int64_t rank);

}  // namespace asobi::tournament

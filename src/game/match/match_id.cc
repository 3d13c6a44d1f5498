#include "game/match/match_id.h"

#include <cstdint>

#include "base/check.h"
#include "base/uuid.h"

namespace asobi::match {

int OwnerShardOf(std::string_view id, int shard_count) {
  if (shard_count <= 1) return 0;
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : id) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return int(h % uint64_t(shard_count));
}

std::string NewMatchIdForShard(int shard, int shard_count) {
  CHECK(shard >= 0 && (shard < shard_count || shard_count <= 1));
  for (;;) {
    std::string id = NewUuidV7();
    if (OwnerShardOf(id, shard_count) == shard) return id;
  }
}

}  // namespace asobi::match
